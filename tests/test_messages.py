"""The message catalogue: both languages everywhere, the same placeholders, and every state, action and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tierwise
from tierwise._messages import MESSAGES, message, reason

SOURCE = Path(tierwise.__file__).parent


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip(), key
        assert en.strip(), key
        assert sorted(re.findall(r"\{(\w+)\}", zh)) == sorted(re.findall(r"\{(\w+)\}", en)), key


def test_every_audit_action_the_code_writes_has_a_message() -> None:
    written = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"\.audit\(\s*con,\s*\"([a-z-]+)\"", text))
    written |= {f"{kind}-{verdict}" for kind in ("override", "upgrade") for verdict in ("approved", "rejected")}
    written |= {"override-requested", "upgrade-requested"}  # by _insert_request
    assert {"init", "cancel", "reinstate", "login", "user-added"} <= written
    assert not {a for a in written if f"event.{a}" not in MESSAGES}


def test_every_state_the_lifecycle_writes_has_a_message() -> None:
    bulk = (SOURCE / "lifecycle" / "_bulk.py").read_text(encoding="utf-8")
    states = set(re.findall(r"THEN '([a-z]+)'\n", bulk.split("END AS grade")[1].split("END AS state")[0]))
    assert states == {"cancelled", "override", "provisional", "held"}
    assert all(f"state.{s}" in MESSAGES for s in (*states, "confirmed"))


def test_every_fixed_text_of_a_lifecycle_reason_is_in_a_reason_template() -> None:
    bulk = (SOURCE / "lifecycle" / "_bulk.py").read_text(encoding="utf-8")
    why = bulk.split("END AS state")[1].split("END AS why")[0]
    pieces = {p.strip() for p in re.findall(r"'([^']*[\u4e00-\u9fff][^']*)'", why)}
    templates = [zh for key, (zh, _) in MESSAGES.items() if key.startswith("reason.")]
    assert pieces
    assert all(any(p in t for t in templates) for p in pieces), pieces


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ("评估为 A", "Evaluated A"),
        ("评估为 B，等级不变", "Evaluated B, grade unchanged"),
        ("升级：评估为 VIP", "Upgrade: evaluated VIP"),
        (
            "降级：评估为 C，调整为 B（每次最多降 1 级）",
            "Downgrade: evaluated C, set to B (at most 1 grade(s) down at a time)",
        ),
        ("降级宽限 1/2：评估为 B，保留 A", "Downgrade grace 1/2: evaluated B, A kept"),
        (
            "新客户暂定等级（合作不满 6 个月）：评估为 C",
            "New customer, provisional grade (customer for less than 6 months): evaluated C",
        ),
        ("特批 #3：A，有效至 2027-06-30", "Special approval #3: A until 2027-06-30"),
        (
            "特批于 2027-05-30 到期，恢复评估等级 C",
            "Special approval ended on 2027-05-30, back to the evaluated grade C",
        ),
        ("取消资格：违约", "Cancelled: 违约"),
        ("an older wording", "an older wording"),
    ],
)
def test_a_stored_lifecycle_reason_reads_in_english(stored: str, english: str) -> None:
    assert reason(stored, "en") == english
    assert reason(stored, "zh") == stored


def test_role_names_come_from_the_catalogue() -> None:
    from tierwise.workspace import ROLES, role_label

    assert all(role_label(r, "en") == message(f"role.{r}", "en") for r in ROLES)
