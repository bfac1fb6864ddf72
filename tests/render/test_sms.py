"""GSM-7 / UCS-2 detection and billed segment counts (3GPP TS 23.038 and TS 23.040)."""

from __future__ import annotations

import pytest

from bot.render.sms import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    gsm_punctuation,
    is_gsm7,
    segment_info,
    unaccent,
)

VI_ACCENTED = (
    "Thông báo: Hộ gia đình anh/chị đã được ghi nhận. Cán bộ xã sẽ liên hệ trong 3 ngày "
    "làm việc để xác minh thông tin về nhà ở, nước sạch và việc làm. Xin cảm ơn bà con!"
)


def test_tables_have_the_sizes_the_standard_gives() -> None:
    # 128 code points in the default alphabet, one of them ESC (not a character);
    # the extension table adds 10 characters including form feed and the euro sign.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENDED) == 10
    assert not GSM7_BASIC & GSM7_EXTENDED


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_segment_boundaries(length: int, segments: int) -> None:
    info = segment_info("a" * length)
    assert info.encoding == "gsm7"
    assert info.units == length
    assert info.segments == segments


@pytest.mark.parametrize(
    ("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_segment_boundaries(length: int, segments: int) -> None:
    info = segment_info("ư" * length)
    assert info.encoding == "ucs2"
    assert info.units == length
    assert info.segments == segments


def test_one_vietnamese_letter_turns_the_whole_message_ucs2() -> None:
    plain = "Nha toi bi ngap" + " nuoc" * 29  # 160 characters, all GSM-7
    assert segment_info(plain) == segment_info(plain).__class__("gsm7", 160, 1)
    with_e = "ệ" + plain[1:]
    info = segment_info(with_e)
    assert info.encoding == "ucs2"
    assert info.segments == 3  # 160 UTF-16 units: ceil(160 / 67)


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_extension_characters_cost_two_septets(char: str) -> None:
    info = segment_info(char * 80)
    assert info.encoding == "gsm7"
    assert info.units == 160
    assert info.segments == 1
    assert segment_info(char * 81).segments == 2


def test_escape_pair_is_not_split_across_parts() -> None:
    # 152 plain septets then "€" (2 septets): the pair cannot start at septet 153 of part one,
    # so it moves to part two, which then needs 2 + 152 = 154 > 153 septets.
    text = "a" * 152 + "€" + "b" * 152
    info = segment_info(text)
    assert info.units == 306  # 2 segments if units alone decided (306 = 2 x 153)
    assert info.segments == 3


def test_emoji_outside_the_bmp_counts_two_units() -> None:
    assert segment_info("🌾").units == 2
    assert segment_info("🌾" * 35).segments == 1
    assert segment_info("🌾" * 35 + "a").segments == 2
    # A surrogate pair never straddles two parts either: 66 + (2) does not fit in 67.
    assert segment_info("a" * 66 + "🌾" + "a" * 66).segments == 3


def test_gsm_basic_accented_latin_stays_gsm7() -> None:
    assert is_gsm7("é è ù ì ò à Ä Ö Ñ Ü ä ö ñ ü Ç £ ¥ § ¿ ¡")
    assert not is_gsm7("á")  # a Vietnamese (and Spanish) letter outside the table
    assert not is_gsm7("`")  # backtick is not in GSM-7


def test_empty_text_is_one_segment() -> None:
    assert segment_info("") == segment_info("").__class__("gsm7", 0, 1)


def test_unaccent_vietnamese_fits_gsm7_with_fewer_segments() -> None:
    before = segment_info(VI_ACCENTED)
    after = segment_info(unaccent(VI_ACCENTED))
    assert before.encoding == "ucs2"
    assert before.segments == 3
    assert after.encoding == "gsm7"
    assert after.segments == 2
    assert unaccent("Đường đến bản Nậm Nhùn") == "Duong den ban Nam Nhun"


def test_unaccent_replaces_typographic_punctuation() -> None:
    text = "Vì người nghèo – “Không để ai bị bỏ lại phía sau”… ‘ok’ 50.000₫"
    result = unaccent(text)
    assert result == "Vi nguoi ngheo - \"Khong de ai bi bo lai phia sau\"... 'ok' 50.000d"
    assert is_gsm7(result)


def test_unaccent_handles_decomposed_input() -> None:
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t"  # NFD "Tiếng Việt"
    assert unaccent(decomposed) == "Tieng Viet"


def test_gsm_punctuation_keeps_letters() -> None:
    assert gsm_punctuation("“Bản” – ok") == '"Bản" - ok'
