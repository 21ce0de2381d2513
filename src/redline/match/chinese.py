"""Chinese names: Han characters to comparable Latin tokens.

A Hong Kong supplier is ``香港華強電子有限公司`` on one list and
``HONG KONG HUAQIANG ELECTRONICS CO., LIMITED`` on another: the generic words are
*translated* (香港 -> Hong Kong, 電子 -> Electronics, 有限公司 -> Limited), while the
distinctive part is *transliterated* (華強 -> Huaqiang).  So a Han run is split
greedily into known generic words, which become their English equivalents, and the
remaining characters, which become pinyin (``pypinyin``, simplified and traditional
alike) joined into one token per run.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

# Generic words of company names and their English equivalents as lists write them.
# Simplified and traditional forms both listed.  Longest match wins.
_GLOSSARY: dict[str, str] = {
    "有限责任公司": "limited liability company", "有限責任公司": "limited liability company",
    "股份有限公司": "joint stock limited company", "有限公司": "limited company",
    "集团": "group", "集團": "group", "公司": "company", "控股": "holdings",
    "香港": "hong kong", "中国": "china", "中國": "china", "深圳": "shenzhen",
    "上海": "shanghai", "北京": "beijing", "广州": "guangzhou", "廣州": "guangzhou",
    "澳门": "macau", "澳門": "macao", "台湾": "taiwan", "台灣": "taiwan",
    "微电子": "microelectronics", "微電子": "microelectronics",
    "电子": "electronics", "電子": "electronics", "科技": "technology",
    "技术": "technology", "技術": "technology", "贸易": "trading", "貿易": "trading",
    "国际": "international", "國際": "international", "实业": "industrial",
    "實業": "industrial", "工业": "industrial", "工業": "industrial",
    "发展": "development", "發展": "development", "进出口": "import export",
    "進出口": "import export", "物流": "logistics", "投资": "investment",
    "投資": "investment", "半导体": "semiconductor", "半導體": "semiconductor",
    "航空": "aviation", "船务": "shipping", "船務": "shipping", "航运": "shipping",
    "航運": "shipping", "能源": "energy", "石油": "petroleum", "化工": "chemical",
    "机械": "machinery", "機械": "machinery", "设备": "equipment", "設備": "equipment",
    "器材": "equipment", "商贸": "trading", "商貿": "trading", "供应链": "supply chain",
    "供應鏈": "supply chain", "光电": "optoelectronics", "光電": "optoelectronics",
    "通信": "communication", "通讯": "communication", "通訊": "communication",
    "网络": "network", "網絡": "network", "软件": "software", "軟件": "software",
    "仪器": "instrument", "儀器": "instrument", "精密": "precision",
    "研究所": "research institute", "研究院": "research institute",
    "大学": "university", "大學": "university", "银行": "bank", "銀行": "bank",
    "企业": "enterprise", "企業": "enterprise", "环球": "global", "環球": "global",
    "动力": "power", "動力": "power", "机器": "machinery", "機器": "machinery",
    "数控": "cnc", "數控": "cnc", "机床": "machine tool", "機床": "machine tool",
    "海运": "shipping", "海運": "shipping", "船舶": "shipbuilding", "制造": "manufacturing",
    "製造": "manufacturing", "材料": "materials", "自动化": "automation",
    "自動化": "automation", "工程": "engineering", "装备": "equipment", "裝備": "equipment",
    "元器件": "components", "电气": "electric", "電氣": "electric", "系统": "systems",
    "系統": "systems", "智能": "intelligent", "光学": "optics", "光學": "optics",
    "信息": "information", "航天": "aerospace", "无人机": "uav", "無人機": "uav",
    "运输": "transport", "運輸": "transport", "货运": "freight", "貨運": "freight",
    "服务": "services", "服務": "services", "仪表": "instruments", "儀表": "instruments",
    "电力": "power", "電力": "power", "检测": "testing", "檢測": "testing",
    "工厂": "factory", "工廠": "factory",
    # Places, for the segmentation: a city's Latin name is its pinyin, written apart
    # from the trade name that follows it (苏州百胜: Suzhou Baisheng).
    "苏州": "suzhou", "蘇州": "suzhou", "东莞": "dongguan", "東莞": "dongguan",
    "宁波": "ningbo", "寧波": "ningbo", "金华": "jinhua", "金華": "jinhua",
    "杭州": "hangzhou", "南京": "nanjing", "天津": "tianjin", "重庆": "chongqing",
    "重慶": "chongqing", "成都": "chengdu", "武汉": "wuhan", "武漢": "wuhan",
    "西安": "xian", "厦门": "xiamen", "廈門": "xiamen", "青岛": "qingdao",
    "青島": "qingdao", "大连": "dalian", "大連": "dalian", "沈阳": "shenyang",
    "瀋陽": "shenyang", "珠海": "zhuhai", "佛山": "foshan", "无锡": "wuxi", "無錫": "wuxi",
    "常州": "changzhou", "温州": "wenzhou", "溫州": "wenzhou", "合肥": "hefei",
    "长沙": "changsha", "長沙": "changsha", "郑州": "zhengzhou", "鄭州": "zhengzhou",
    "济南": "jinan", "濟南": "jinan", "福州": "fuzhou", "昆明": "kunming",
    "哈尔滨": "harbin", "哈爾濱": "harbin", "长春": "changchun", "長春": "changchun",
    "义乌": "yiwu", "義烏": "yiwu", "泉州": "quanzhou", "惠州": "huizhou",
    "广东": "guangdong", "廣東": "guangdong", "浙江": "zhejiang", "江苏": "jiangsu",
    "江蘇": "jiangsu", "山东": "shandong", "山東": "shandong", "河北": "hebei",
    "河南": "henan", "四川": "sichuan", "福建": "fujian", "湖南": "hunan", "湖北": "hubei",
    "九龙": "kowloon", "九龍": "kowloon",
    # Administrative suffixes that Latin renderings drop ("深圳市" is "Shenzhen").
    "市": "", "省": "", "区": "", "區": "", "县": "", "縣": "",
}  # fmt: skip
_MAX_WORD: Final = max(len(w) for w in _GLOSSARY)

# Cantonese (Hong Kong) and Wade-Giles spellings of common Chinese surnames and
# syllables, keyed to their pinyin, so "CHAN Tai Man" meets 陈 (chen).
ROMANISATION_EQUIVALENTS: dict[str, str] = {
    "chan": "chen", "wong": "huang", "cheung": "zhang", "chang": "zhang",
    "lau": "liu", "ng": "wu", "lam": "lin", "leung": "liang", "ho": "he",
    "tsang": "zeng", "yip": "ye", "kwok": "guo", "kuo": "guo", "chow": "zhou",
    "chou": "zhou", "tse": "xie", "hsieh": "xie", "fung": "feng", "cheng": "zheng",
    "lo": "luo", "yeung": "yang", "mak": "mai", "kwan": "guan", "choi": "cai",
    "tsai": "cai", "tam": "tan", "szeto": "situ", "au": "ou", "hsu": "xu",
    "tsui": "xu", "chiang": "jiang", "tseng": "zeng", "chu": "zhu", "chiu": "zhao",
    "wai": "wei", "wah": "hua", "keung": "qiang", "kin": "jian", "hung": "xiong",
    "tak": "de", "kwong": "guang", "shing": "cheng", "fat": "fa", "hing": "xing",
    "yuen": "yuan", "chun": "jun", "tung": "dong", "hsiao": "xiao", "chen": "chen",
}  # fmt: skip


def has_han(text: str) -> bool:
    return any("\u4e00" <= c < "\ua000" or "\u3400" <= c < "\u4dc0" for c in text)


@lru_cache(maxsize=50_000)
def han_to_tokens(run: str) -> tuple[str, ...]:
    """Latin tokens for a run of Han characters: glossary words, then pinyin blocks.

    A short run with no generic word (2 to 4 characters) is a personal name:
    surname and given name become two tokens (陈大文 -> chen, dawen), the way
    lists write them.
    """
    if 2 <= len(run) <= 4 and not any(word in run for word in _GLOSSARY):
        return tuple(t for t in (_pinyin(run[0]), _pinyin(run[1:])) if t)
    tokens: list[str] = []
    pending: list[str] = []
    i = 0
    while i < len(run):
        for size in range(min(_MAX_WORD, len(run) - i), 0, -1):
            word = run[i : i + size]
            if word in _GLOSSARY:
                if pending:
                    tokens.append(_pinyin("".join(pending)))
                    pending = []
                tokens.extend(_GLOSSARY[word].split())
                i += size
                break
        else:
            pending.append(run[i])
            i += 1
    if pending:
        tokens.append(_pinyin("".join(pending)))
    return tuple(t for t in tokens if t)


def _pinyin(chars: str) -> str:
    # Imported on the first Han characters met: pypinyin's tables take a quarter of a
    # second to load, which every command that never meets Chinese (``screen-file``
    # over a saved index, the API) would pay at start.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")
    return "".join(s.lower() for s in syllables if s.isascii() and s.isalpha())
