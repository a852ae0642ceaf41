"""Deterministic Chinese place names for the demo county."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
VILLAGE_STEMS = ["家庄", "家沟", "家洼", "家坪", "家营", "家寨", "家湾", "家河", "家岭", "家堡"]
PLACE_WORDS = "石青龙凤桃李杏柳松柏白黑红黄东西南北上下前后大小新老清平安宁兴和丰盛福寿长乐"
TOWN_SUFFIX = ["镇", "乡"]


def township_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + rng.choice(TOWN_SUFFIX)
        if name[0] != name[1] and name not in names:
            names.append(name)
    return names


def village_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    used: set[str] = set()
    while len(names) < n:
        if rng.random() < 0.6:
            name = rng.choice(SURNAMES) + rng.choice(VILLAGE_STEMS) + "村"
        else:
            name = (
                rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + rng.choice(["村", "沟村", "坪村", "峪村"])
            )
        if name not in used:
            used.add(name)
            names.append(name)
    return names
