"""The demo shop's pages: each carries the snippet, and the checkout asks for an email."""

from __future__ import annotations

from pinrelay.demoshop.app import PAGES, render


def _page(path: str) -> str:
    return render(path, collect_url="http://127.0.0.1:8080", write_key="wk_demo")


def test_every_page_loads_pinrelay_js_from_the_collect_server() -> None:
    for path in PAGES:
        html = _page(path)
        assert "http://127.0.0.1:8080/pinrelay.js?v=" in html
        assert '"wk_demo"' in html
        assert "document.cookie" not in html
        assert "{{" not in html


def test_the_pages_track_a_product_view_an_add_to_cart_and_a_checkout_with_email() -> None:
    assert 'pinrelay.track("Product Viewed"' in _page("/product")
    assert 'pinrelay.track("Product Added"' in _page("/product")
    checkout = _page("/checkout")
    assert 'type="email"' in checkout
    assert "pinrelay.identify({ email: email })" in checkout
    assert 'pinrelay.track("Order Completed"' in checkout
