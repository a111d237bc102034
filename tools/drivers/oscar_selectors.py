"""Everything the Oscar driver knows about django-oscar's staff dashboard pages, in one place.

Paths and form field names are Oscar's own (they are part of its templates and form
classes, stable across its 3.x and 4.x releases); tables are found by the heading
above them and columns by their header text, so a shop that re-orders columns still
reads the same. Dropdowns are select2 overlays over a hidden <select>: the driver sets
the <select> itself, the way the overlay does.
"""

import re

LOGIN_PATH = "/dashboard/login/"
LOGIN_PATHS = ("/dashboard/login/", "/accounts/login/")
HOME_PATH = "/dashboard/"
ORDERS_PATH = "/dashboard/orders/"
ORDER_PATH = "/dashboard/orders/{number}/"
SHIPPING_ADDRESS_PATH = "/dashboard/orders/{number}/shipping-address/"
SHIPPING_ADDRESS_FORM = "form:has([name=line1])"
# The shop's address fields as Oscar's shipping address form names them.
SHIPPING_ADDRESS_FIELDS = {"address1": "line1", "city": "line4", "region": "state", "postcode": "postcode"}
PRODUCTS_PATH = "/dashboard/catalogue/"
PRODUCT_PATH = "/dashboard/catalogue/products/{remote_id}/"
NEW_PRODUCT_PATH = "/dashboard/catalogue/products/create/{product_class}/"
NEW_CHILD_PATH = "/dashboard/catalogue/products/{parent}/create-variant/"
NEW_CATEGORY_PATH = "/dashboard/catalogue/categories/create/"
CATEGORIES_PATH = "/dashboard/catalogue/categories/"

LOGIN_FORM = "#dashboard_login_form"
ORDER_STATUS_FILTER = "select[name=status] option"  # the order list's filter: every status of the pipeline
ORDER_STATUS_FORM = "#order_status_form"
ORDER_LINES_FORM = "#order_lines_form"
ORDER_NOTE_FORM = "#order_note_form"
PRODUCT_FORM = "#create_update_product_form"
CATEGORY_FORM = "#create_update_category_form"
PRODUCT_CLASS_SELECT = "#create_product_with_class_form select[name=product_class]"
SAVE_AND_CONTINUE = "button[name=action][value=continue]"
PRODUCT_ID_IN_PATH = re.compile(r"/dashboard/catalogue/products/(\d+)/")

# Dates and money are read in the dashboard's language (tools/drivers/page_locale.py),
# which the page states in <html lang> unless the shop's locale is set.

# The reference of a shipping event the driver makes: "TRACKING (Carrier)".
SHIPMENT_REFERENCE = "{tracking} ({carrier})"
SHIPMENT_TEXT = re.compile(r"^(?P<tracking>\S+) \((?P<carrier>.+)\)$")
# The note that claims a refund payment event for the shop: "<note> | refund <amount>".
REFUND_NOTE = "{note} | refund {amount}"
REFUND_NOTE_TEXT = re.compile(r"^(?P<note>.+) \| refund (?P<amount>-?[\d,]+\.\d\d)$", re.S)

READ_PAGE_STATE = """() => ({
  path: location.pathname,
  lang: document.documentElement.lang || '',
  alert: [...document.querySelectorAll('#messages .alert-danger, .alert-danger[role=alert]')]
           .map(e => e.textContent.replace(/\\s+/g, ' ').trim()).join(' ') || '',
  errors: [...document.querySelectorAll('.error-block, .invalid-feedback, .errorlist')]
           .map(e => e.textContent.trim()).filter(t => t).join(' ') || '',
})"""

# The order list as CSV (the dashboard's own download, every page at once).
ORDERS_CSV_QUERY = "response_format=csv"

# One order's dashboard page, read in one round trip. Tables are found by their English
# title when the dashboard is in English, else by their place in Oscar's default template
# (its icons, tabs and blocks), so a dashboard in any language reads the same; the driver
# finds columns by English header, else by the default template's column order.
READ_ORDER = """() => {
  const text = e => (e ? e.textContent.replace(/\\s+/g, ' ').trim() : '');
  const tableAfter = header => {
    let node = header ? header.closest('.table-header') || header : null;
    while (node && node.tagName !== 'TABLE') node = node.nextElementSibling;
    return node;
  };
  // Oscar's lines tab: items ordered, status changes, shipping events, payment events.
  const eventTable = (title, place) => tableAfter([...document.querySelectorAll('h3')].find(e => text(e) === title)
    || document.querySelectorAll('#lines .table-header')[place]);
  const captioned = (words, icon) => [...document.querySelectorAll('table')]
    .find(t => text(t.querySelector('caption')).includes(words))
    || (document.querySelector(`caption .${icon}`) || {closest: () => null}).closest('table');
  const rows = table => table ? [...table.querySelectorAll('tbody tr')]
    .filter(tr => tr.cells.length > 1).map(tr => [...tr.cells].map(text)) : [];
  const headers = table => table ? [...table.querySelectorAll('thead th')].map(text) : [];
  const info = captioned('Order information', 'fa-shopping-cart');
  const infoRows = info ? [...info.querySelectorAll('tr')] : [];
  const customer = captioned('Customer Information', 'fa-user');
  const customerRows = customer ? [...customer.querySelectorAll('tr')] : [];
  const lines = document.querySelector('#order_lines_form table');
  const update = document.querySelector('#shipping a[href*="shipping-address"]');
  const addressCell = update ? update.closest('td').cloneNode(true) : null;
  if (addressCell) addressCell.querySelectorAll('a').forEach(a => a.remove());
  const shipping = eventTable('Shipping Events', 2), payments = eventTable('Payment Events', 3);
  const notes = document.querySelector('#notes table');
  return {
    heading: text(document.querySelector('h1')),
    crumb: text(document.querySelector('.breadcrumb-item.active')),  // '#<number>' in every language
    info: infoRows.length > 1 ? {keys: [...infoRows[0].cells].map(text), values: [...infoRows[1].cells].map(text)} : null,
    customer: customerRows.length > 1 ? [...customerRows[1].cells].map(text) : [],
    lineHeaders: headers(lines),
    lines: lines ? [...lines.querySelectorAll('tbody tr')].filter(tr => tr.querySelector('input[name=selected_line]'))
      .map(tr => [...tr.cells].map(text)) : [],
    lineIds: lines ? [...lines.querySelectorAll('tbody tr input[name=selected_line]')].map(i => i.value) : [],
    address: addressCell ? addressCell.innerText : '',
    shipping: rows(shipping),
    shippingHeaders: headers(shipping),
    payments: rows(payments),
    // A payment event's lines, one 'Product: <title> - quantity <n>' per line (translated).
    paymentLines: payments ? [...payments.querySelectorAll('tbody tr')].filter(tr => tr.cells.length > 1)
      .map(tr => [...tr.cells].map(td => td.innerText.split('\\n').map(s => s.trim()).filter(s => s))) : [],
    paymentHeaders: headers(payments),
    // Event type code -> its name: the payment events table shows the name, the setting is the code.
    paymentTypes: Object.fromEntries([...document.querySelectorAll('select[name=payment_event_type] option')]
      .filter(o => o.value).map(o => [o.value, text(o)])),
    notes: notes ? [...notes.querySelectorAll('tbody tr')].filter(tr => tr.cells.length > 2)
      .map(tr => [...tr.cells].map(td => td.innerText.trim())) : [],
    noteHeaders: notes ? [...notes.querySelectorAll('th')].map(text) : [],
    nextStatuses: [...document.querySelectorAll('#order_status_form select[name=new_status] option')]
      .map(o => o.value).filter(v => v),
  };
}"""

# Set form fields by name; a <select> by its option's text or value. Returns what was not found.
SET_FIELDS = """([formSelector, values]) => {
  const form = document.querySelector(formSelector);
  if (!form) return ['form ' + formSelector];
  const missing = [];
  for (const [name, value] of Object.entries(values)) {
    const field = form.elements[name];
    if (!field) { missing.push(name); continue; }
    if (field.tagName === 'SELECT') {
      const wanted = String(value).trim().toLowerCase();
      const option = [...field.options].find(o => o.textContent.trim().toLowerCase() === wanted
                                                  || o.value.toLowerCase() === wanted);
      if (!option) { missing.push(name + '=' + value); continue; }
      field.value = option.value;
    } else if (field.type === 'checkbox') {
      field.checked = Boolean(value);
    } else {
      field.value = value;
    }
    field.dispatchEvent(new Event('change', {bubbles: true}));
  }
  return missing;
}"""

SELECT_ALL_LINES = """() => {
  const boxes = [...document.querySelectorAll('#order_lines_form input[name=selected_line]')];
  boxes.forEach(box => { box.checked = true; });
  return boxes.length;
}"""

READ_PRODUCT_FORM = """() => ({
  images: document.querySelectorAll('#create_update_product_form img[src*="/media/"]').length,
  categories: [...document.querySelectorAll('select[name="productcategory_set-0-category"] option')]
    .map(o => o.textContent.trim()).filter(t => t && !t.startsWith('---')),
})"""

# A new category's place: a child of the category shown by its full path ('' for a root).
# treebeard names the two fields treebeard_position/_ref_node (4.x) or _position/_ref_node_id.
CATEGORY_PARENT = """([formSelector, parent]) => {
  const form = document.querySelector(formSelector);
  const position = form.querySelector('select[name$=position]');
  const ref = form.querySelector('select[name$=ref_node], select[name$=ref_node_id]');
  if (!position || !ref) return false;
  const child = [...position.options].find(o => o.value.endsWith('child'));
  const node = [...ref.options].find(o => (parent ? o.textContent.trim() === parent : !o.value));
  if (!child || !node) return false;
  position.value = child.value;
  ref.value = node.value;
  return true;
}"""

# Which of these field names the form has.
FIELDS_PRESENT = """([formSelector, names]) => {
  const form = document.querySelector(formSelector);
  return form ? names.filter(name => form.elements[name]) : [];
}"""

CHILD_LINKS = "#child_products a[href*='/dashboard/catalogue/products/']"  # a parent's variants tab
FIELD_VALUE = """([formSelector, name]) => document.querySelector(formSelector)?.elements[name]?.value ?? null"""

# Oscar's form_field.html marks a field's group 'error' and writes the reason under it.
FIELD_IN_ERROR = """([formSelector, name]) => {
  const field = document.querySelector(formSelector)?.elements[name];
  return Boolean(field && field.closest('.form-group')?.classList.contains('error'));
}"""

# A product form's saved stock records: field prefix, id, partner SKU, units in stock, and units allocated
# to orders (a plain cell right after the in-stock field, in any language).
READ_STOCK_RECORDS = """(formSelector) => {
  const form = document.querySelector(formSelector);
  if (!form) return [];
  return [...form.querySelectorAll('input[name^="stockrecords-"][name$="-num_in_stock"]')].map(field => {
    const prefix = field.name.replace(/num_in_stock$/, '');
    const cell = field.closest('td');
    const allocated = cell && cell.nextElementSibling ? cell.nextElementSibling.textContent : '';
    return {prefix, id: form.elements[prefix + 'id']?.value || '', sku: form.elements[prefix + 'partner_sku']?.value || '',
            inStock: parseInt(field.value, 10) || 0, allocated: parseInt(allocated.replace(/[^0-9]/g, ''), 10) || 0};
  }).filter(record => record.id);  // the formset's empty extra row is not a record
}"""

READ_PRODUCT_ROWS = """() => [...document.querySelectorAll('table tbody tr')].map(tr => ({
  link: tr.querySelector('a[href*="/dashboard/catalogue/products/"]')?.getAttribute('href') || '',
  cells: [...tr.cells].map(td => td.textContent.replace(/\\s+/g, ' ').trim()),
})).filter(r => r.link)"""

# A payment event on chosen lines, with a quantity of each (Oscar allows each event type
# once per unit of a line): the lines form's own "create payment event" action.
LINE_PAYMENT_EVENT = """([eventType, amount, quantities]) => {
  const form = document.querySelector('#order_lines_form');
  form.querySelectorAll('input[name=selected_line]').forEach(box => {
    box.checked = box.value in quantities;
    if (box.checked) form.elements[`selected_line_qty_${box.value}`].value = quantities[box.value];
  });
  form.querySelectorAll('input[name=line_action]').forEach(r => { r.checked = r.value === 'create_payment_event'; });
  const select = form.elements['payment_event_type'];
  const option = [...select.options].find(o => o.value.toLowerCase() === eventType.toLowerCase()
                                              || o.textContent.trim().toLowerCase() === eventType.toLowerCase());
  if (option) select.value = option.value;
  form.elements['amount'].value = amount;
  return Boolean(option);
}"""
# One line of a payment event's lines cell: 'Product: Stoneware mug - quantity 2' (translated).
EVENT_LINE_TEXT = re.compile(r"^[^:]*:\s*(?P<title>.*)\s-\s\S+\s(?P<quantity>\d+)$")

# Oscar's order view takes an order-level payment event ("create_order_payment_event")
# that its default template shows no form for: post it through the lines form.
ORDER_PAYMENT_EVENT = """([eventType, amount]) => {
  const form = document.querySelector('#order_lines_form');
  const put = (name, value) => {
    let field = form.querySelector(`input[type=hidden][name="${name}"]`);
    if (!field) { field = document.createElement('input'); field.type = 'hidden'; field.name = name; form.appendChild(field); }
    field.value = value;
  };
  form.querySelectorAll('input[name=line_action]').forEach(r => { r.checked = false; });
  put('order_action', 'create_order_payment_event');
  const select = form.elements['payment_event_type'];
  const option = [...select.options].find(o => o.value.toLowerCase() === eventType.toLowerCase()
                                              || o.textContent.trim().toLowerCase() === eventType.toLowerCase());
  if (option) select.value = option.value;
  form.elements['amount'].value = amount;
  return Boolean(option);
}"""
