"""What every browser test does first: log in through the real form."""

from playwright.sync_api import Page

FACTORY_PASSWORD = "secret-pass-123"  # what tests.factories.UserFactory gives every user


def log_in(page: Page, url: str, *, username: str, password: str = FACTORY_PASSWORD) -> None:
    """Open `url` logged out, fill the login form it redirects to, and land back on it."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
