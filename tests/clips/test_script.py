"""The clip script: the model's words pass the listing copy's fact check, or the
template (built from the facts alone) speaks instead."""

from tools.clips.motion import face_track, viseme_of
from tools.clips.script import ClipScript, lines_of, offer_line, price_text, script_problems, template_script, write_script
from tools.copy.facts import Facts
from tools.copy.profiles import get_profile
from tools.drivers.voice import Speech, Timed
from tools.llm import LLM
from tools.scripted_model import ScriptedChatModel

import numpy as np

FACTS = Facts(name="Bamboo Cutting Board", category="Kitchen > Cutting Boards",
              attributes={"material": "Moso bamboo", "dimensions": "33 x 23 x 1.8 cm", "weight": "0.95 kg"},
              policies={"returns": "within 7 days of delivery"})
PROFILE = get_profile("sandbox")
GOOD = {"hook": "Tired of boards that slide around while you chop?",
        "benefits": ["This board is made of Moso bamboo, light at 0.95 kg.",
                     "At 33 x 23 cm it fits a loaf, a roast or a pile of vegetables.",
                     "And if it is not right, returns are open within 7 days of delivery."],
        "call_to_action": "Tap buy now and bring it home to your kitchen today!"}


def test_a_grounded_script_passes():
    assert script_problems(ClipScript(**GOOD), FACTS, PROFILE, "en") == []


def test_invented_facts_prices_and_claims_are_named():
    bad = ClipScript(**{**GOOD, "benefits": ["Made of oak, 40 cm long, the best board ever made.", GOOD["benefits"][1]],
                        "call_to_action": "Only $9.99, tap buy now and bring it home to your kitchen today!"})
    problems = " ".join(script_problems(bad, FACTS, PROFILE, "en"))
    assert "'40 cm'" in problems and "oak" in problems
    assert "$9.99" in problems
    assert "best" in problems


def test_model_is_repaired_once_then_replaced_by_the_template():
    invented = {**GOOD, "hook": "A 50 cm board made of teak, ready for anything in your busy kitchen today?"}
    repaired = write_script(LLM(chat=ScriptedChatModel([invented, GOOD])), FACTS, PROFILE, "en", "Blue Pine", "", "")
    assert repaired.made_by == "repaired" and repaired.value.hook == GOOD["hook"]
    assert any("'50 cm'" in p for p in repaired.problems)
    fallback = write_script(LLM(chat=ScriptedChatModel([invented, invented])), FACTS, PROFILE, "en", "Blue Pine", "", "")
    assert fallback.made_by == "fallback"
    assert "Moso bamboo" in " ".join(fallback.value.benefits)


def test_templates_pass_their_own_check_in_both_languages():
    zh = Facts(name="竹砧板", category="厨房 > 砧板", attributes={"材质": "楠竹", "尺寸": "33 x 23 x 1.8厘米"})
    for facts, language in ((FACTS, "en"), (zh, "zh-CN")):
        script = template_script(facts, language)
        problems = script_problems(script, facts, PROFILE, language)
        assert not [p for p in problems if "not in the catalog" in p or "claims" in p or "prices" in p], problems
    assert template_script(zh, "zh-CN").hook.startswith("想找一款好用的砧板")


def test_price_line_is_made_by_code():
    assert price_text(2499, "USD") == "$24.99" and price_text(1250, "CHF") == "CHF 12.50"
    assert offer_line(2499, "USD", "en", "Blue Pine") == "Now just $24.99."
    assert offer_line(9900, "CNY", "zh-CN", "蓝松") == "现在只要99.00元。"
    assert lines_of(ClipScript(**GOOD), "Now just $24.99.")[-2] == "Now just $24.99."


def test_visemes_follow_phonemes_and_the_face_rests_in_silence():
    assert viseme_of("m") == "closed" and viseme_of("a") == "open" and viseme_of("u") == "round"
    assert viseme_of("ˈ") is None and viseme_of("_") == "rest"
    speech = Speech(np.zeros(22050 * 2, np.float32), 22050, "test",
                    phonemes=[Timed("m", 0.5, 0.6), Timed("ˈ", 0.6, 0.65), Timed("a", 0.65, 1.0), Timed("_", 1.0, 2.0)])
    track = face_track(speech, 30, 60)
    assert track.mouth_open[:12].max() < 0.05  # before the first sound
    assert track.mouth_open[20:30].max() > 0.6  # the open vowel
    assert track.mouth_open[45:].max() < 0.05  # after it
    assert track.blink.max() == 1.0 and np.abs(track.head_dx).max() > 1


def test_the_template_adds_a_third_benefit_only_while_the_script_is_short():
    short = Facts(name="Mug", category="Kitchen > Mugs", attributes={"material": "stoneware", "capacity": "350 ml",
                                                                     "colour": "white"})
    long = Facts(name="Bottle", category="Kitchen > Bottles", attributes={
        "care": "bottle dishwasher safe, hand wash the lid, not for carbonated drinks",
        "sleeve": "food-grade silicone in sage green, removable for washing", "colour": "green"})
    assert len(template_script(short, "en").benefits) == 3
    assert len(template_script(long, "en").benefits) == 2
