"""Noisy copies of clean articles, the way crawled Chinese pages look (see ../shared/data/README.md).

Pure functions; every random choice comes from the `random.Random` passed in, so a seed gives the same
text every time. All templates below are written by hand for this benchmark: the sites, names,
numbers and contacts are invented (phones are all zeros, domains are example.com/.net/.org).

    wrap(article, rng)               boilerplate above and below, ad lines between paragraphs
    wrap_lines(article, rng)         the same page as (line, role) pairs
    to_traditional(text)             simplified -> traditional script (OpenCC s2t)
    inject_pinyin(text, rng, rate)   上午 -> 上午(shàngwǔ) after a share of the words
    noisy(article, rng)              the composite the robustness benchmark uses
    noisy_page(article, rng)         the same, with what was done and each line's role
    rng_for(seed, row)               the seeded generator of one text's noisy copy
"""

from __future__ import annotations

import functools
import itertools
import random
import re

# --- fill-ins: every {field} in a template is drawn from the rng when the template is used ---

SITES = [
    "示例资讯网", "样例新闻网", "范例在线", "示例生活网", "样板财经网", "示例门户", "样例之家",
    "示例都市报", "范例传媒", "示例热线", "样例视界", "示例快讯",
]
DOMAINS = ["example.com", "www.example.com", "news.example.com", "m.example.com", "example.net", "www.example.org", "bbs.example.net"]
SECTIONS = ["新闻中心", "综合资讯", "要闻", "滚动新闻", "本地新闻", "热点关注", "图文频道", "原创稿件", "资讯", "专题", "频道首页", "文章中心", "正文"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "天津", "济南", "长沙", "郑州", "沈阳", "昆明", "福州", "合肥"]
PRODUCTS = [
    "不锈钢管", "电线电缆", "钢结构厂房", "防水涂料", "塑料托盘", "叉车配件", "净水设备", "铝合金型材", "LED显示屏", "工业风扇",
    "包装纸箱", "液压升降机", "无纺布", "玻璃钢储罐", "橡胶密封圈", "激光切割机", "保温材料", "冷库板",
]
SERVICES = ["家电维修", "开锁换锁", "管道疏通", "搬家服务", "保洁服务", "空调清洗", "防水补漏", "代理记账"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "明华丽强静磊婷军洋勇艳杰娟涛超敏霞平刚桂"
PHONES = ["400-000-0000", "400 000 0000", "13000000000", "130-0000-0000", "010-00000000", "0531-00000000", "021-0000 0000", "0755-00000000"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


_FIELDS = {
    "site": lambda r: r.choice(SITES),
    "domain": lambda r: r.choice(DOMAINS),
    "section": lambda r: r.choice(SECTIONS),
    "section2": lambda r: r.choice(SECTIONS),
    "city": lambda r: r.choice(CITIES),
    "product": lambda r: r.choice(PRODUCTS),
    "service": lambda r: r.choice(SERVICES),
    "name": _name,
    "name2": _name,
    "phone": lambda r: r.choice(PHONES),
    "year": lambda r: str(r.randint(2009, 2024)),
    "since": lambda r: str(r.randint(1998, 2008)),
    "month": lambda r: str(r.randint(1, 12)),
    "date": lambda r: f"{r.randint(2009, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "cdate": lambda r: f"{r.randint(2009, 2024)}年{r.randint(1, 12):02d}月{r.randint(1, 28):02d}日",
    "time": lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
    "num": lambda r: str(r.randint(2, 9999)),
    "weekday": lambda r: r.choice("一二三四五六日"),
    "small": lambda r: str(r.randint(2, 30)),
    "pct": lambda r: f"{r.uniform(0.5, 30):.1f}",
    "price": lambda r: str(r.randrange(999, 9999, 100)),
    "a": lambda r: str(r.randint(70, 120)),
    "b": lambda r: str(r.randint(0, 5)),
    "icp": lambda r: str(r.randint(10_000_000, 99_999_999)),
    "police": lambda r: "".join(str(r.randint(0, 9)) for _ in range(14)),
    "province": lambda r: r.choice("京沪粤浙苏鲁川鄂湘豫闽皖辽陕渝津"),
}


class _Fill(dict):
    """format_map() values drawn on first use, so a template pays only for its own fields."""

    def __init__(self, rng: random.Random):
        super().__init__()
        self.rng = rng

    def __missing__(self, key):
        value = self[key] = _FIELDS[key](self.rng)
        return value


def _fill(templates: list[str], rng: random.Random) -> str:
    return rng.choice(templates).format_map(_Fill(rng))


# --- templates, one list per kind of line ---

SEO = [  # search-engine spam titles: gambling, lotteries, fake invoices, "rank first" offers
    "{city}快三开奖结果查询_今日最新走势图_{site}",
    "新葡京官网入口_真人百家乐_在线娱乐平台_{domain}",
    "皇冠投注网址_即时比分_赔率查询_注册送{num}元",
    "网上赌场排名前十_正规平台推荐_{year}最新",
    "六合彩开奖记录_{year}年开奖结果_特码资料大全",
    "PK10计划稳定版_回本技巧_{site}",
    "时时彩平台官方网站下载_手机版APP_{domain}",
    "电子游艺老虎机免费试玩_注册即送彩金",
    "{city}SEO优化_网站关键词排名_{small}天快速上首页",
    "棋牌平台_真钱斗地主_提现秒到账_{domain}",
    "百家乐必胜技巧_庄闲规律_稳赢打法",
    "竞彩推荐_今日串关_专家稳胆_{site}",
    "刷单兼职日结_手机赚钱软件_一天赚{num}元",
    "代开发票_{city}增值税发票_真票可查验",
    "娱乐城开户送体验金_信誉第一_{domain}",
    "永久免费网站入口_无需注册_{domain}_{site}",
    "彩票计划群_内部资料_精准推荐_{year}",
]
LOGIN = [
    "登录 | 注册 | 设为首页 | 加入收藏",
    "欢迎访问{site}！ 请登录  免费注册",
    "手机版 | 客户端 | 微博 | 微信 | 登录",
    "您好，欢迎来到{site}  [登录] [注册]",
    "用户名： 密码： 登录 忘记密码？ 立即注册",
    "设为首页 收藏本站 联系我们 网站地图",
    "今天是{cdate} 星期{weekday}  登录 | 注册",
    "会员中心 | 退出 | 帮助",
    "登录后可收藏文章  还没有账号？立即注册",
    "繁體版 | 简体版 | English",
    "扫码下载{site}APP  登录领取积分",
    "切换城市：{city} [更换]  登录 注册",
    "无障碍浏览 | 长者模式 | 登录",
    "投稿邮箱：editor@{domain}  登录",
    "RSS订阅 | 网站导航 | 登录 | 注册",
]
NAV = [
    "首页 | 新闻 | 体育 | 财经 | 娱乐 | 科技 | 汽车 | 房产 | 教育 | 旅游",
    "网站首页  国内  国际  社会  军事  评论  图片  视频  专题",
    "首页 资讯 视频 图片 论坛 博客 专题 活动 下载",
    "新闻 | 财经 | 科技 | 体育 | 娱乐 | 时尚 | 健康 | 家居 | 游戏",
    "首页  本地  民生  政务  文旅  教育  健康  房产  汽车",
    "推荐 热点 视频 图片 本地 财经 科技 娱乐 体育 更多>>",
    "首页 > 新闻 > 体育 > 财经 > 科技 > 娱乐 > 更多频道",
    "网站首页 | 关于我们 | 新闻动态 | 产品中心 | 联系我们",
    "要闻 国内 国际 评论 图片 视频 直播 专题 数据",
    "导航：首页 频道 论坛 商城 招聘 二手 租房",
    "首页 时政 经济 社会 文化 体育 科教 健康 旅游 汽车",
    "全部频道：新闻 财经 股票 基金 科技 手机 汽车 房产 家居",
    "首页 | 原创 | 排行 | 专栏 | 图集 | 视频 | 直播",
    "热门：{city} 天气 限行 油价 高考 疫苗 社保 公积金",
    "首页 资讯 评测 导购 行情 问答 社区 下载 APP",
    "【首页】【新闻】【图片】【视频】【论坛】【专题】",
]
BREADCRUMB = [
    "当前位置：首页 > {section} > 正文",
    "{site} > {section} > {section2}",
    "您现在的位置：{site} >> {section} >> 详细内容",
    "位置：首页 > {section} > {city}",
    "首页 > {section}",
    "当前位置：{site}首页 > {section} > 阅读文章",
    "您的位置：首页 → {section} → 正文",
    "{site} - {section} - 正文",
    "首页 / {section} / {section2}",
    "所在位置：首页 > {section}频道",
    "首页 >> {section} >> {section2} >> 正文",
    "当前所在位置：{site} > {city}频道 > {section}",
    "{domain} > {section} > 文章",
    "您当前的位置：首页 > {section} > {small}版",
    "首页 » {section} » 内容",
]
DATELINE = [
    "发布时间：{date} {time}  来源：{site}",
    "{date} {time}  来源：{site}  作者：{name}",
    "时间：{cdate}  浏览次数：{num}",
    "【字体：大 中 小】 {date}  来源：本站原创  点击：{num}次",
    "发布日期：{cdate} {time}  信息来源：{site}",
    "{cdate} {time} {site} 评论({num})",
    "来源：{site}  发布时间：{date}  阅读：{num}",
    "作者：{name}  时间：{date} {time}  编辑：{name2}",
    "{date} {time}  {site}  我要评论",
    "更新时间：{date} {time}  点击数：{num}",
    "发表于 {date} {time} | 只看该作者",
    "稿源：{site}  {cdate}",
    "{cdate}  星期{weekday}  {time}",
    "时间：{date}  来源：网络  浏览：{num}人次",
    "日期：{date}  【打印】 【关闭】",
]
SHARE = [
    "分享到：微信 微博 QQ空间",
    "分享到： 新浪微博 腾讯微博 人人网 豆瓣网",
    "【打印】 【关闭】 【收藏】 【纠错】",
    "扫一扫，用手机看新闻！",
    "一键分享： 朋友圈 微博 复制链接",
    "点赞({num})  收藏  分享",
    "转发 | 评论 | 收藏 | 举报",
    "分享到微信朋友圈 打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享至朋友圈。",
    "阅读 {num}  在看 {small}",
    "【我要纠错】 【打印本页】 【关闭窗口】",
    "分享：{domain}/share?id={num}",
    "喜欢就点个赞吧  ♥ {num}",
    "上一篇：返回列表  下一篇：没有了",
    "关注{site}微信公众号，获取更多资讯",
    "[ 字号：大 中 小 ] [ 返回顶部 ]",
]
EDITOR = [
    "（责任编辑：{name}）",
    "【责任编辑：{name}】",
    "编辑：{name}  审核：{name2}",
    "来源：{site}  作者：{name}  编辑：{name2}",
    "本文来源：{site}，转载请注明出处。",
    "[编辑：{name}]",
    "责编：{name}  校对：{name2}",
    "（来源：{site}  记者：{name}）",
    "文/{name}  图/{name2}",
    "原标题已修改  编辑：{name}",
    "本文为{site}原创，未经授权不得转载。",
    "（实习生 {name} 记者 {name2}）",
    "审核：{name}  终审：{name2}",
    "声明：本文仅代表作者观点，不代表本站立场。",
    "值班编辑：{name}  {date}",
]
RELATED_HEAD = [
    "相关新闻", "相关阅读：", "猜你喜欢", "热门推荐", "延伸阅读", "推荐阅读", "看了本文的人还看了", "相关文章",
    "热点排行", "精彩推荐", "更多相关", "今日头条", "编辑推荐", "热门文章", "最新资讯",
]
RELATED_FORMS = ["· {h}", "{h}", "{h}  {date}", "> {h}", "[{section}] {h}", "{h}（{num}）", "▪ {h}"]
HEADLINES = [  # invented headlines on every kind of topic: a related-links block mixes them
    "{city}男篮主场{a}比{b}险胜对手 外援独得{small}分",
    "欧冠小组赛综述：两支豪门球队爆冷出局",
    "马拉松赛{month}月开跑 报名人数突破{num}人",
    "央行公布{month}月金融数据 M2同比增长{pct}%",
    "三大指数集体收涨 两市成交额再度放量",
    "多家银行下调存款利率 理财产品收益走低",
    "{city}楼市新政出台 首套房首付比例下调",
    "{city}{month}月新房成交量环比上涨{pct}%",
    "二手房挂牌量持续增加 买家观望情绪浓厚",
    "新款折叠屏手机发布 起售价{price}元",
    "国产芯片再获突破 性能提升{pct}%",
    "人工智能大模型进入应用落地阶段",
    "{year}年高考报名人数公布 较去年有所增加",
    "教育部发文规范校外培训 严禁超前教学",
    "{city}中小学寒假时间确定 共{small}天",
    "知名歌手{city}演唱会门票开售 {small}分钟售罄",
    "暑期档电影票房突破{num}亿 国产片占比过半",
    "热播剧收官 主演发文告别角色",
    "秋冬流行色盘点 这{small}种搭配最显气质",
    "时装周落幕 设计师新品主打简约风",
    "小户型客厅怎么装修 {small}个收纳技巧请收好",
    "卫生间防水怎么做 装修师傅说出实话",
    "实木家具保养误区 很多人都做错了",
    "国务院常务会议部署稳就业相关措施",
    "{city}召开全市经济工作会议",
    "年度大作公布新资料片 玩家期待值拉满",
    "电竞联赛季后赛落幕 卫冕冠军成功卫冕",
    "手游{month}月收入排行榜出炉",
    "专家提醒：换季时节注意预防流感",
    "每天步行多少步最健康？医生给出建议",
    "{city}周边{small}条自驾游线路推荐",
    "国庆假期出游人次同比增长{pct}%",
    "新型驱逐舰完成海上试验",
    "{city}举办春季招聘会 提供岗位{num}余个",
    "应届生求职季：这些行业最缺人",
    "{city}博物馆新展开幕 展出文物{num}余件",
    "非遗传承人走进校园 带学生体验传统手艺",
    "新能源汽车销量同比增长{pct}% 渗透率创新高",
    "{city}气象台发布暴雨蓝色预警",
    "{city}地铁{small}号线开通运营 沿线居民出行更方便",
    "油价今晚调整 加满一箱多花{small}元",
    "{city}一小区停水通知：{month}月{small}日全天停水",
]
COMMENT = [
    "网友评论",
    "已有{num}人参与  网友评论",
    "发表评论  请遵守互联网相关规定，不得发布违法信息",
    "评论 ({num})",
    "登录后才能评论",
    "我要评论",
    "文明上网，理性发言",
    "查看全部{num}条评论 >>",
    "用户名：  密码：  匿名发表",
    "网友{name}：说得很有道理  {date}",
    "评论区 | 最热 | 最新",
    "还没有人评论，快来抢沙发吧！",
    "网友评论仅供其表达个人看法，并不表明本站同意其观点",
    "共{num}条评论  {num}人参与",
    "{site}网友 {date} {time}  回复 | 支持({small})",
]
COPYRIGHT = [
    "Copyright © {since}-{year} {domain} All Rights Reserved.",
    "版权所有 © {site}  未经授权禁止转载",
    "{site} 版权所有  联系电话：{phone}",
    "本站所有文章均来自网络，如有侵权请联系删除",
    "关于我们 | 联系我们 | 广告服务 | 网站地图 | 免责声明",
    "Copyright ? {since}-{year} {site} 版权所有",
    "主办单位：{site}  技术支持：{domain}",
    "违法和不良信息举报电话：{phone}  举报邮箱：jubao@{domain}",
    "© {year} {domain}  保留所有权利",
    "本网站由{site}主办  建议使用1920×1080分辨率浏览",
    "广告合作：{phone}  投稿：tougao@{domain}",
    "{site}（{domain}）版权所有，转载请注明来源",
    "网站简介 | 广告服务 | 招聘信息 | 法律声明 | 联系方式",
    "Powered by {site}  Copyright {year}",
    "地址：{city}市示例路{small}号  邮编：000000",
]
ICP = [
    "{province}ICP备{icp}号",
    "{province}ICP备{icp}号-{small}",
    "{province}ICP证{icp}号  {province}公网安备 {police}号",
    "ICP备案号：{province}ICP备{icp}号",
    "{province}公网安备{police}号",
    "增值电信业务经营许可证：{province}B2-{icp}",
    "网络文化经营许可证：{province}网文〔{year}〕{num}-{small}号",
    "{province}ICP备{icp}号  技术支持：{site}",
    "信息网络传播视听节目许可证：{icp}号",
    "备案号：{province}ICP备{icp}号-1  {domain}",
    "互联网新闻信息服务许可证：{icp}",
    "{province}ICP备{icp}号 | {province}公网安备{police}号 | 网站地图",
    "经营许可证编号：{province}B2-{icp}",
    "广播电视节目制作经营许可证：({province})字第{num}号",
    "ICP：{province}{icp}  {site}",
]
ADS = [  # seller phone lines, factory-direct offers and keyword-product lines
    "厂家直销 质量保证 欢迎来电咨询：{phone}",
    "免费服务热线：{phone}",
    "{product}厂家  批发价格  量大从优",
    "咨询电话：{phone}（同微信）",
    "{city}{product}哪家好？{site}{small}年品质保证",
    "加微信{phone}领取优惠券",
    "专业{service}，{small}分钟上门，电话：{phone}",
    "{city}{product}检测设备哪家好",
    "{product}价格_{product}图片_{product}批发_{domain}",
    "{product}厂家直销 全国包邮 {phone}",
    "{city}{service}电话 24小时服务 {phone}",
    "招商加盟：投资{small}万 开店当年回本 热线{phone}",
    "{product}，{city}现货供应，价格低至{num}元/吨",
    "限时特价！{product}全场{small}折起 详询{phone}",
    "本公司长期供应{product}，欢迎新老客户来电洽谈。",
    "{product}生产厂家_{city}{product}供应商_联系电话{phone}",
]

ABOVE_POOL = ["seo", "seo", "login", "nav", "nav", "nav", "breadcrumb", "dateline"]  # 3-8 drawn without replacement
ABOVE_ORDER = {"seo": 0, "login": 1, "nav": 2, "breadcrumb": 3, "dateline": 4}
BELOW_POOL = ["editor", "share", "share", "comment", "comment", "copyright", "copyright", "icp"]
BELOW_ORDER = {"editor": 0, "share": 1, "related": 2, "comment": 3, "copyright": 4, "icp": 5}
KIND_TEMPLATES = {
    "seo": SEO, "login": LOGIN, "nav": NAV, "breadcrumb": BREADCRUMB, "dateline": DATELINE,
    "editor": EDITOR, "share": SHARE, "comment": COMMENT, "copyright": COPYRIGHT, "icp": ICP,
}
LONG_LINE = 200  # a single-line article at least this long may be split into paragraphs at 。


def _paragraphs(article: str, rng: random.Random) -> list[str]:
    """The article's lines; a long single-line article is cut at 。 into 1-3 paragraphs (text unchanged)."""
    lines = article.split("\n")
    if len(lines) > 1 or len(article) < LONG_LINE:
        return lines
    ends = [m.end() for m in re.finditer("。", article) if m.end() < len(article)]
    cuts = sorted(rng.sample(ends, min(len(ends), rng.randint(0, 2))))
    bounds = [0, *cuts, len(article)]
    return [article[a:b] for a, b in itertools.pairwise(bounds)]


def _above(rng: random.Random) -> list[str]:
    kinds = sorted(rng.sample(ABOVE_POOL, rng.randint(3, 8)), key=ABOVE_ORDER.__getitem__)
    return [_fill(KIND_TEMPLATES[k], rng) for k in kinds]


def _related(rng: random.Random, count: int) -> list[str]:
    form = rng.choice(RELATED_FORMS)
    lines = [rng.choice(RELATED_HEAD)]
    for headline in rng.sample(HEADLINES, count):
        fill = _Fill(rng)
        fill["h"] = headline.format_map(fill)
        lines.append(form.format_map(fill))
    return lines


def _below(rng: random.Random) -> list[str]:
    """3-8 lines; when there is room, one of them is a related-links block (a header and 2-4 headlines)."""
    n = rng.randint(3, 8)
    blocks: list[tuple[str, list[str]]] = []
    if n >= 4 and rng.random() < 0.7:
        count = rng.randint(2, min(4, n - 2))
        blocks.append(("related", _related(rng, count)))
        n -= count + 1
    for kind in rng.sample(BELOW_POOL, n):
        blocks.append((kind, [_fill(KIND_TEMPLATES[kind], rng)]))
    blocks.sort(key=lambda b: BELOW_ORDER[b[0]])  # stable: the related block keeps its place among equals
    return [line for _, lines in blocks for line in lines]


def wrap_lines(article: str, rng: random.Random) -> list[tuple[str, str]]:
    """`wrap`'s page as (line, role) pairs, the role being "article", "ad" or "boilerplate"."""
    paragraphs = _paragraphs(article, rng)
    above, below = _above(rng), _below(rng)
    gaps = list(range(1, len(paragraphs))) or [0, 1]  # one paragraph: ads go right above or below it
    body = [(p, "article") for p in paragraphs]
    for gap in sorted(rng.sample(gaps, min(len(gaps), rng.randint(0, 2))), reverse=True):
        body.insert(gap, (_fill(ADS, rng), "ad"))
    return [(line, "boilerplate") for line in above] + body + [(line, "boilerplate") for line in below]


def bare_page(article: str, rng: random.Random) -> str:
    """The article alone, cut into paragraphs as `wrap` cuts it, with nothing around or between them:
    what `clean` should give back whole."""
    return "\n".join(_paragraphs(article, rng))


def wrap(article: str, rng: random.Random) -> str:
    """The article as a crawled page: 3-8 boilerplate lines above, 3-8 below, 0-2 ad lines between paragraphs.

    Every character of the article is kept, in order; lines are only added around and between its
    paragraphs (a long one-line article may be cut at 。 into up to three paragraphs).
    """
    return "\n".join(line for line, _ in wrap_lines(article, rng))


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified to traditional script (OpenCC s2t): 国家 -> 國家."""
    return _s2t().convert(text)


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PINYIN_CHARS = set("abcdefghijklmnopqrstuvwxyzüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ")


def inject_pinyin(text: str, rng: random.Random, rate: float) -> str:
    """After about `rate` of the Chinese words, their reading with tone marks: 上午 -> 上午(shàngwǔ).

    Words are cut with rjieba; only words made of Han characters get a reading, and only when
    pypinyin knows every character.
    """
    import rjieba
    from pypinyin import Style, pinyin

    out = []
    for word in rjieba.cut(text):
        out.append(word)
        if _HAN.fullmatch(word) and rng.random() < rate:
            reading = "".join(s[0] for s in pinyin(word, style=Style.TONE))
            if reading and set(reading) <= _PINYIN_CHARS:
                out.append(f"({reading})")
    return "".join(out)


def rng_for(seed: int, row: int) -> random.Random:
    """The generator of the noisy copy of the `row`-th text under noise `seed` (both benchmarks use it,
    so a text gets the same copy in each)."""
    return random.Random(seed * 1_000_003 + row)


REPEAT = 0.1  # share of documents whose body appears twice (copy sites that paste an article twice)
PINYIN_RATE = (0.05, 0.3)  # share of words annotated, drawn per document


def noisy_page(article: str, rng: random.Random) -> tuple[str, str, list[str]]:
    """`noisy`, a name for what was done (e.g. "wrap+traditional+pinyin"), and the role of each of the
    text's lines (`text.splitlines()`; "article", "ad" or "boilerplate", as `wrap_lines`; the script
    changes keep the lines)."""
    kind = ["wrap"]
    if rng.random() < REPEAT:
        article = article + "\n" + article
        kind.append("repeat")
    lines = wrap_lines(article, rng)
    text = "\n".join(line for line, _ in lines)
    roles = [role for line, role in lines for _ in line.splitlines() or [line]]  # a paragraph may hold a line break
    script = rng.randrange(3)  # 0: traditional, 1: pinyin, 2: both
    if script >= 1:
        text = inject_pinyin(text, rng, rng.uniform(*PINYIN_RATE))
    if script != 1:
        text = to_traditional(text)  # after the pinyin: words are cut on simplified text, as copy sites do
    kind.insert(1, ["traditional", "pinyin", "traditional+pinyin"][script])
    return text, "+".join(kind), roles


def noisy_with_kind(article: str, rng: random.Random) -> tuple[str, str]:
    """`noisy` and a name for what was done, e.g. "wrap+traditional+pinyin"."""
    return noisy_page(article, rng)[:2]


def noisy(article: str, rng: random.Random) -> str:
    """The benchmark's noisy copy: always wrapped; then, one chance in three each, traditional script,
    pinyin after words, or both; one document in ten has its body repeated. Same rng state, same text."""
    return noisy_with_kind(article, rng)[0]
