"""The product form's description goes through Oscar's TinyMCE editor; on a busy machine the
driver can reach the form while the editor is made but still starting, when TinyMCE throws on
setContent. The driver's script waits for the editor's init instead. A stand-in editor on a
plain page (the same calls TinyMCE offers), in Chromium."""

import pytest

from tools.drivers import oscar_selectors as sel
from tools.drivers.browser import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
STARTING_EDITOR = """<form><textarea id="id_description"></textarea></form><script>
const editor = {initialized: false, content: '', waiting: [],
  on(event, call) { if (event === 'init') this.waiting.push(call); },
  setContent(html) {
    if (!this.initialized) throw new TypeError("Cannot read properties of undefined (reading 'parse')");
    this.content = html;
  },
  save() { document.getElementById('id_description').value = this.content; }};
window.tinymce = {get: id => (id === 'id_description' ? editor : null)};
setTimeout(() => { editor.initialized = true; editor.waiting.forEach(call => call()); }, 300);
</script>"""


def test_the_description_waits_for_an_editor_still_starting():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content(STARTING_EDITOR)
            assert page.evaluate(sel.SET_DESCRIPTION, [sel.DESCRIPTION_EDITOR, "<p>A mug.</p>"]) == "tinymce"
            assert page.input_value("#id_description") == "<p>A mug.</p>"
        finally:
            browser.close()
