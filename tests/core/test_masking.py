from nuanxin.core.masking import mask_id_number, mask_name, mask_phone


def test_phone_is_masked_as_three_stars_four():
    assert mask_phone("13812341234") == "138****1234"


def test_id_number_keeps_only_the_ends():
    assert mask_id_number("44080219900101123X") == "4408**********123X"


def test_short_and_empty_values_reveal_nothing():
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"
    assert mask_id_number("1234") == "****"
    assert mask_name("李") == "李*"
    assert mask_name("欧阳娜娜") == "欧***"
