import microcred.registry as registry


def test_all_names_exist():
    missing = [name for name in registry.__all__ if not hasattr(registry, name)]
    assert not missing
