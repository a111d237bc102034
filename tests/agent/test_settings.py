"""Settings: defaults, the work directory's shopagent.toml, SHOPAGENT_* variables, masking."""

import pytest

from agent.errors import UserError
from agent.settings import Settings, write_settings_file
from agent.workspace import load_settings


def test_defaults_put_everything_in_the_work_directory(workdir):
    settings = Settings.load(workdir)
    assert settings.db_url == f"sqlite:///{(workdir / 'shop.db').resolve()}"
    assert settings.approval_mode == "risky" and settings.marketplace_url is None


def test_file_then_environment_then_overrides(workdir, monkeypatch):
    (workdir / "shopagent.toml").write_text('currency = "cny"\nlocale = "zh-CN"\napproval_mode = "all"\n')
    assert Settings.load(workdir).currency == "CNY"
    monkeypatch.setenv("SHOPAGENT_APPROVAL_MODE", "auto")
    settings = Settings.load(workdir, locale="en")
    assert (settings.currency, settings.approval_mode, settings.locale) == ("CNY", "auto", "en")


def test_workdir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPAGENT_WORKDIR", str(tmp_path / "elsewhere"))
    assert Settings.load().workdir == tmp_path / "elsewhere"


def test_secrets_are_masked(workdir, monkeypatch):
    monkeypatch.setenv("SHOPAGENT_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("SHOPAGENT_DATABASE_URL", "postgresql+psycopg://shop:hunter2@db:5432/shop")
    shown = Settings.load(workdir).masked()
    assert shown["llm_api_key"] == "****"
    assert shown["database_url"] == "postgresql+psycopg://shop:****@db:5432/shop"
    assert "hunter2" not in str(shown) and "sk-secret" not in str(shown)


@pytest.mark.parametrize(("content", "named"), [
    ('approval_mode = "sometimes"\n', "approval_mode"),
    ('colour = "red"\n', "colour"),
    ('currency = "EURO"\n', "currency"),
    ('daily_at = "25:00"\n', "daily_at: '25:00' is not a time of day"),
    ('daily_at = "07:60"\n', "daily_at"),
    ('timezone = "Mars/Base"\n', "unknown time zone 'Mars/Base'"),
    ('timezone = "../etc/passwd"\n', "unknown time zone"),
])
def test_bad_setting_names_the_setting_and_the_file(workdir, content, named):
    (workdir / "shopagent.toml").write_text(content)
    with pytest.raises(UserError, match=named) as error:
        load_settings(workdir)
    assert "shopagent.toml" in str(error.value)


def test_malformed_settings_file_is_one_line_naming_the_file(workdir):
    (workdir / "shopagent.toml").write_text('currency = "USD\n')
    with pytest.raises(UserError, match=r"shopagent.toml is not valid TOML \(.*line 1") as error:
        load_settings(workdir)
    assert "\n" not in str(error.value)


def test_written_settings_file_loads_back(workdir):
    write_settings_file(workdir, {"currency": "JPY", "locale": "zh-CN"})
    settings = Settings.load(workdir)
    assert (settings.currency, settings.locale) == ("JPY", "zh-CN")


def test_several_platforms_from_the_settings_file(workdir):
    (workdir / "shopagent.toml").write_text(
        'platforms = ["sandbox", "oscar"]\n'
        'marketplace_password = "sandbox-pass"\n'
        '[platform_logins.oscar]\n'
        'url = "http://127.0.0.1:8000"\nuser = "staff@example.com"\npassword = "oscar-secret-pw"\nlocale = "en-gb"\n')
    settings = load_settings(workdir)
    assert (settings.platform, settings.selling_on) == ("sandbox", ["sandbox", "oscar"])
    oscar = settings.login_for("oscar")
    assert (oscar.url, oscar.user, oscar.locale) == ("http://127.0.0.1:8000", "staff@example.com", "en-gb")
    assert settings.login_for("sandbox").password is not None  # the main one's: the marketplace_* settings
    shown = settings.masked()
    assert shown["platform_logins"]["oscar"]["password"] == "****" and "oscar-secret-pw" not in str(shown)
    assert settings.redact("login failed for oscar-secret-pw") == "login failed for ****"


@pytest.mark.parametrize(("content", "named"), [
    ('platforms = ["oscar", "oscar"]\n', "platforms names one twice"),
    ('platforms = ["sandbox", "ebay"]\n', "platforms"),
    ('platforms = ["sandbox"]\n[platform_logins.oscar]\nurl = "http://x"\n', "platform_logins names oscar"),
    ('platforms = ["sandbox", "oscar"]\n[platform_logins.oscar]\npasword = "x"\n', "pasword"),
])
def test_bad_platform_settings_say_what_to_fix(workdir, content, named):
    (workdir / "shopagent.toml").write_text(content)
    with pytest.raises(UserError, match=named):
        load_settings(workdir)


def test_the_main_platform_is_the_first_listed(workdir):
    settings = load_settings(workdir, platforms=["oscar", "sandbox"])
    assert settings.platform == "oscar" and settings.selling_on == ["oscar", "sandbox"]
    assert load_settings(workdir).selling_on == ["sandbox"]  # nothing listed: the one `platform`


def test_a_platform_named_for_one_run_becomes_its_main_one(workdir):
    (workdir / "shopagent.toml").write_text('platforms = ["sandbox", "oscar"]\n')
    settings = load_settings(workdir, platform="oscar")  # `--platform oscar`
    assert settings.platform == "oscar" and settings.selling_on == ["oscar", "sandbox"]
    (workdir / "shopagent.toml").write_text('platforms = ["sandbox"]\n')
    with pytest.raises(UserError, match="platform 'oscar' is not one of platforms"):
        load_settings(workdir, platform="oscar")
