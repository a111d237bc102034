"""Which catalog attributes a listing may show. A supplier's row can carry any key
("supplier_note=order by WhatsApp ..."); only keys that name a property of the product
reach the attribute table, the copy's facts, the clips and the detail picture. Unknown
keys are dropped from what is published (they stay in the catalog, as data)."""

import re

# Property names, English (lower-case, "_" and "-" read as spaces) and Chinese.
KNOWN_KEYS = frozenset("""
material materials fabric composition glaze finish surface coating lining filling lid sleeve stand base
handle strap cable plug cord lamp holder bulb max bulb wick wax jar container saucer dial movement
insulation drainage hole capacity volume net content net weight weight size sizes dimensions height width
length lengths depth diameter base diameter thickness colour color colours colors shade pattern style shape
origin country of origin made in care cleaning use usage features feature certification certifications
pack count pieces quantity burn time scent fragrance power voltage wattage battery batteries brand model
compatibility compatible with age range warranty temperature water resistance
""".replace("\n", " ").split(" ")) | frozenset({
    "lamp holder", "max bulb", "drainage hole", "net content", "net weight", "base diameter",
    "country of origin", "made in", "burn time", "compatible with", "age range", "water resistance"}) | frozenset(
    "材质 面料 成分 釉面 表面 表面处理 工艺 盖子 杯盖 瓶盖 杯套 底座 把手 提手 线长 插头 灯头 烛芯 蜡 容器 "
    "保温 容量 净含量 重量 净重 克重 尺寸 规格 高度 宽度 长度 深度 直径 厚度 颜色 色彩 图案 风格 形状 产地 "
    "保养 清洁 用途 功能 特点 认证 数量 件数 燃烧时间 香味 香调 功率 电压 电池 品牌 型号 适用 保修".split())


def _norm(key: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", key.strip().lower()).split())


def known_attributes(attributes: dict[str, str]) -> dict[str, str]:
    """`attributes` without the keys that name no product property."""
    return {k: v for k, v in attributes.items() if _norm(k) in KNOWN_KEYS}


# Labels a buyer reads, where the catalog key's plain spelling is not one.
LABELS_EN = {"max bulb": "Max. bulb", "lamp holder": "Lamp holder", "net weight": "Net weight",
             "burn time": "Burn time", "base diameter": "Base diameter", "drainage hole": "Drainage hole",
             "return days": "Returns (days)", "refund to": "Refunds to", "ship within days": "Ships within (days)"}
LABELS_ZH = {
    "material": "材质", "materials": "材质", "capacity": "容量", "volume": "容量", "size": "尺寸", "sizes": "尺寸",
    "dimensions": "尺寸", "weight": "重量", "net weight": "净含量", "color": "颜色", "colour": "颜色", "height": "高度",
    "width": "宽度", "length": "长度", "lengths": "长度", "diameter": "直径", "base diameter": "底座直径", "pack": "数量",
    "count": "数量", "pieces": "件数", "finish": "工艺", "glaze": "釉面", "origin": "产地", "style": "风格", "shape": "形状",
    "pattern": "图案", "burn time": "燃烧时间", "scent": "香味", "fragrance": "香调", "care": "保养", "lid": "盖子",
    "certifications": "认证", "certification": "认证", "features": "功能", "wax": "蜡", "wick": "烛芯", "jar": "容器",
    "insulation": "保温", "thickness": "厚度", "depth": "深度", "use": "用途", "power": "电源", "cable": "线材",
    "plug": "插头", "lamp holder": "灯头", "max bulb": "最大灯泡功率", "shade": "灯罩", "stand": "支架", "dial": "表盘",
    "movement": "机芯", "saucer": "托盘", "drainage hole": "排水孔", "sleeve": "杯套",
}


def norm_key(key: str) -> str:
    """A catalog key as plain lower-case words: 'Base_Diameter' -> 'base diameter'."""
    return _norm(key)


def human_label(key: str, language: str = "en") -> str:
    """An attribute name as a buyer reads it: 'base_diameter' -> 'Base diameter', '材质' stays."""
    plain = _norm(key)
    if language == "zh-CN":
        return LABELS_ZH.get(plain, key.strip())
    if plain in LABELS_EN:
        return LABELS_EN[plain]
    return plain[:1].upper() + plain[1:] if plain.isascii() else key.strip()
