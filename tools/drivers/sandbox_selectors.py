"""Everything the browser driver knows about the sandbox back-office's pages, in one place.

Locators go by what a person reads (labels, button words, headings) or by data
attributes that carry the data itself, never by element ids or class names of the layout:
the platform's alternate layout renames those and moves the buttons, and a person would
still find their way, so the driver must too. Button names match the start of the text,
so "Ship" finds both "Ship" and "Ship now".
"""

import re

# Pages (paths below the back-office URL)
LOGIN_PATH = "/seller/login"
HUMAN_CHECK_PATH = "/seller/human-check"
HOME_PATH = "/seller"
ORDERS_PATH = "/seller/orders"
ORDER_PATH = "/seller/orders/{number}"
THREADS_PATH = "/seller/messages"
THREAD_PATH = "/seller/messages/{thread_id}"
LISTINGS_PATH = "/seller/listings"
NEW_LISTING_PATH = "/seller/listings/new"
LISTING_PATH = "/seller/listings/{remote_id}"
PROFILE_PATH = "/seller/profile"
INVENTORY_PATH = "/seller/inventory"
INVENTORY_UNITS = "input[data-sku]"  # one per SKU, its units as the value
INVENTORY_UNITS_LABEL = "Units of {sku}"
INVENTORY_BUTTON = re.compile(r"^Save stock")
LIVE_PATH = "/seller/live"
LIVE_VIDEO_LABEL = re.compile(r"^Promo video")
LIVE_SCHEDULE_LABEL = re.compile(r"^Schedule")
STATS_CSV_PATH = "/seller/stats.csv"

# One order's address form (inside a closed <details> until opened)
ADDRESS_FORM = "details:has(form[action$='/address'])"
ADDRESS_LABELS = {"name": "Name", "address1": "Street", "city": "City", "region": "State / region",
                  "postcode": "Postcode", "country": "Country"}
ADDRESS_BUTTON = re.compile(r"^Save address")
BUYER_PATH = "/seller/buyers?email={email}"
BUYER_ADDRESS_FORM = "form[action$='/address'][action^='/seller/buyers/']"
BUYER_ADDRESS_LABELS = {"name": "Full name", "address1": "Street", "address2": "Street, second line", "city": "City",
                        "region": "Region", "postcode": "Postcode", "country": "Country"}
BUYER_ADDRESS_BUTTON = re.compile(r"^Change the default address")
READ_BUYER = """() => {
  const shown = document.querySelector('#default-address');
  return {found: Boolean(shown), address: Object.fromEntries([...(shown ? shown.querySelectorAll('[data-field]') : [])]
    .map(s => [s.dataset.field, s.textContent.trim()]))};
}"""
RETURN_FORM = "details:has(form[action$='/return-items'])"
RETURN_LABEL = "Return {sku}"
RETURN_METHOD_LABEL = "Refund to"
RETURN_NOTE_LABEL = "Return note"
RETURN_BUTTON = re.compile(r"^Take back items")
CHANGE_ITEMS_FORM = "details:has(form[action$='/change-items'])"
CHANGE_ITEM_LABEL = "New SKU for {sku}"
CHANGE_METHOD_LABEL = "Difference paid with"
CHANGE_NOTE_LABEL = "Change note"
CHANGE_ITEMS_BUTTON = re.compile(r"^Change the items")
PAYMENT_FORM = "details:has(form[action$='/payment-method'])"
PAYMENT_METHOD_LABEL = "New payment method"
PAYMENT_NOTE_LABEL = "Payment note"
PAYMENT_BUTTON = re.compile(r"^Change the payment method")

# Login form
EMAIL_LABEL = "Email"
PASSWORD_LABEL = "Password"
LOGIN_BUTTON = re.compile(r"^Log in")
HUMAN_CHECK_HEADING = "Human check"

# Order list: one row per order carries its number and status as data.
ORDER_ROWS = "tr[data-order]"
NEXT_PAGE = "a[rel=next]"
OPEN_REQUESTS_TEXT = re.compile(r"(\d+) refund or return requests? to decide")

# One order's page
SHIP_CARRIER_LABEL = "Carrier"
SHIP_TRACKING_LABEL = "Tracking number"
SHIP_BUTTON = re.compile(r"^Ship\b")
CANCEL_BUTTON = re.compile(r"^Cancel order")
REFUND_AMOUNT_LABEL = re.compile(r"^Refund amount")
REFUND_NOTE_LABEL = "Note"
REFUND_BUTTON = re.compile(r"^Refund$")
REQUEST_BOX = "#request-{request_id}"
ACCEPT_BUTTON = re.compile(r"^Accept")
REJECT_BUTTON = re.compile(r"^Reject")

# Messages
THREAD_ROWS = "tr[data-thread]"
REPLY_LABEL = "Your reply"
REPLY_BUTTON = re.compile(r"^Reply")

# Listings and profile
LISTING_ROWS = "tr[data-sku]"
LISTING_FIELDS: dict[str, str | re.Pattern[str]] = {"title": "Title", "sku": "SKU", "price": "Price", "stock": "Stock", "category": "Category",
                  "tags": re.compile(r"^Tags"), "description": re.compile(r"^Description")}
VARIANT_SKU_LABEL = re.compile(r"^Variant \d+ SKU$")
VARIANT_LABEL = "Variant {n} {field}"
VARIANT_DELETE_LABEL = "Delete variant {n}"
LISTING_IMAGES_LABEL = re.compile(r"^Add images")
LISTING_VIDEO_LABEL = re.compile(r"^Video")
PUBLISH_BUTTON = re.compile(r"^Publish")
SAVE_BUTTON = re.compile(r"^Save")
PAUSE_BUTTON = re.compile(r"^Pause")
PROFILE_FIELDS: dict[str, str | re.Pattern[str]] = {"name": "Shop name", "description": re.compile(r"^Description"),
                  "policies": re.compile(r"^Policies")}
PROFILE_LOGO_LABEL = "Logo"
PROFILE_BANNER_LABEL = "Banner"

# Read a whole page in one round trip. Sections are found by their heading's words.
READ_PAGE_STATE = """() => ({
  path: location.pathname,
  human: [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === 'Human check'),
  login: location.pathname === '/seller/login',
  alert: document.querySelector('[role=alert]')?.textContent.trim() || '',
})"""

READ_ORDER_ROWS = """rows => rows.map(tr => ({
  number: tr.dataset.order, status: tr.dataset.status,
  cells: [...tr.cells].map(td => td.textContent.trim()),
}))"""

READ_ORDER = """() => {
  const section = title => {
    const h = [...document.querySelectorAll('h2')].find(e => e.textContent.trim() === title);
    return h ? h.closest('section') : null;
  };
  const rows = sec => sec ? [...sec.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim())) : [];
  const status = document.querySelector('.status[data-status]');
  const buyer = section('Buyer');
  const shipments = section('Shipments');
  const requests = section('Refund and return requests');
  return {
    number: document.querySelector('#order-number')?.textContent.trim() || '',
    status: status ? status.dataset.status : '',
    summary: status ? status.parentElement.textContent.replace(/\\s+/g, ' ') : '',
    buyer: buyer?.querySelector('p')?.textContent.trim() || '',
    address: buyer?.querySelector('address')?.innerText || '',
    items: rows(section('Items')),
    payments: rows(section('Payments and refunds')),
    shipments: shipments ? [...shipments.querySelectorAll('.shipment')].map(p => ({
      text: p.textContent.trim(), tracking: p.querySelector('.tracking')?.textContent.trim() || ''})) : [],
    requests: requests ? [...requests.querySelectorAll('[id^=request-]')].map(d => ({
      id: d.id.replace('request-', ''), status: d.dataset.status,
      text: d.querySelector('p')?.textContent.replace(/\\s+/g, ' ').trim() || '',
      swaps: d.querySelector('.request-swaps')?.textContent.trim() || ''})) : [],
  };
}"""

READ_THREAD_ROWS = """rows => rows.map(tr => ({
  id: tr.dataset.thread, updated: tr.dataset.updated || '', cells: [...tr.cells].map(td => td.textContent.trim()),
}))"""

READ_THREAD = """() => ({
  subject: document.querySelector('h1')?.textContent.trim() || '',
  messages: [...document.querySelectorAll('li.message')].map(li => ({
    sender: li.classList.contains('from-buyer') ? 'buyer' : 'seller',
    at: li.querySelector('time')?.getAttribute('datetime') || li.querySelector('time')?.textContent.trim() || '',
    text: li.querySelector('p')?.textContent || ''})),
})"""

READ_LISTING_ROWS = """rows => rows.map(tr => ({
  sku: tr.dataset.sku, href: tr.querySelector('a')?.getAttribute('href') || '',
  status: tr.querySelector('.status')?.textContent.trim() || '',
}))"""

# Text on the pages
SUMMARY = re.compile(r"placed (?P<placed>\d{4}-\d\d-\d\d \d\d:\d\d) · total (?P<total>\S+) · "
                     r"paid (?P<paid>\S+) · refunded (?P<refunded>\S+)")
REQUEST_TEXT = re.compile(r"^(?P<kind>\w+) of (?P<amount>\S+) asked (?P<asked>\d{4}-\d\d-\d\d \d\d:\d\d): "
                          r"“(?P<reason>.*)” — (?P<status>\w+)$", re.S)
SHIPPED_AT = re.compile(r" · (?P<at>\d{4}-\d\d-\d\d \d\d:\d\d)$")  # the end of a shipment's line
BUYER_TEXT = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^>]*)>$")
DATE_FORMAT = "%Y-%m-%d %H:%M"
