def test_power_is_not_written_yet():
    from calc import power  # noqa: F401  (planned for the stable release)
