"""Word lists for the demo city's names. The city is fictional; its names are data, not text to translate."""

from __future__ import annotations

import random
from collections.abc import Iterator

CITY_NAME = "明川市"

DISTRICT_ROOTS = ("东湖", "西山", "南屏", "北岭", "清溪", "青云", "龙泉", "凤鸣", "临江", "望城")

STREET_FIRST = "望临松枫桂梅柳荷兰竹青翠金银玉锦云霞星月朝晨华瑞福宁安康泰丰和平新兴盛德仁礼文武"
STREET_SECOND = "江湖山林园桥岭溪湾坪坡关门塘坝场口洲苑庄"

COMMUNITY_FIRST = "春夏秋冬晨曦晖阳光明景嘉怡悦乐欣馨雅颐祥瑞福康宁泰和顺裕隆昌兴盛荣华锦绣丽美秀清"
COMMUNITY_SECOND = "晖实苑园庭居湾城里坊巷府轩阁门境岸庄路桥"

CHINESE_DIGITS = "零一二三四五六七八九"

# The most common surnames, roughly in order of frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁健亮俊峰建志国文东海林浩宇轩然博睿晨阳凯昊天翔德永"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红梅琳雪婷慧颖倩洁佳琴云莉兰凤玉欣怡悦涵梓诗雨婉晴琪"

DEPARTMENTS = (
    ("住房和城乡建设局", "住建局"),
    ("城市管理局", "城管局"),
    ("市场监督管理局", "市场监管局"),
    ("人力资源和社会保障局", "人社局"),
    ("教育局", "教育局"),
    ("卫生健康局", "卫健局"),
    ("交通运输局", "交通运输局"),
    ("生态环境局", "生态环境局"),
    ("民政局", "民政局"),
    ("水务局", "水务局"),
)
PUBLIC_SERVICES = ("明川供电局", "明川市水务集团有限公司", "明川燃气集团有限公司")

INDUSTRIES = ("物业服务", "商贸", "餐饮管理", "科技", "物流", "建筑工程", "文化传媒", "家政服务")
PARTY_POSITIONS = ("党委书记", "党总支书记", "党支部书记", "党委副书记", "党支部副书记")
FUNCTIONAL_ORGANISATIONS = ("新就业群体联合党支部", "物业服务行业联合党支部", "志愿服务功能型党支部")


def chinese_number(number: int) -> str:
    """一, 二 … 十, 十一 … 九十九: the numbers in grid names (第一网格)."""
    if not 0 < number < 100:
        raise ValueError(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CHINESE_DIGITS[ones]
    prefix = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{prefix}十{CHINESE_DIGITS[ones] if ones else ''}"


def two_character_names(first: str, second: str, rng: random.Random) -> Iterator[str]:
    """Every pairing of a first and a second character (never the same twice), in a seeded order."""
    pairs = [a + b for a in first for b in second if a != b]
    rng.shuffle(pairs)
    yield from pairs


def district_name(sequence: int) -> str:
    return f"{DISTRICT_ROOTS[(sequence - 1) % len(DISTRICT_ROOTS)]}区"


def person_name(rng: random.Random, *, male: bool, surname: str | None = None) -> str:
    """A plausible full name: a common surname and one or two given-name characters."""
    if surname is None:
        surname = SURNAMES[min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)]
    given = MALE_GIVEN if male else FEMALE_GIVEN
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(given) for _ in range(length))
