from web.formatting import format_money


def test_money_is_written_one_way():
    assert format_money(1234550, "USD") == "12,345.50 USD"
    assert format_money(1230000, "EUR") == "12,300 EUR"
    assert format_money(5, "USD") == "0.05 USD"
    assert format_money(1234550, "USD", whole=True) == "12,346 USD"
    assert format_money(0, "GBP", whole=True) == "0 GBP"
