"""A buyer of the Vendure test shop, through its Shop API as a storefront would call it:
items into a cart, who and where, the shipping method, then payment with the sandbox card
(server.js's handler settles at once), which places the order."""

import httpx

TOKEN_HEADER = "vendure-auth-token"
ERROR = "... on ErrorResult { errorCode message }"
TRANSITION_ERROR = f"{ERROR} ... on OrderStateTransitionError {{ transitionError }}"
ADDRESS = {"fullName": "Ann Buyer", "streetLine1": "1 High Street", "city": "London", "postalCode": "N1 1AA",
           "countryCode": "GB"}


class OutOfStock(Exception):
    """The shop would not sell that many units."""


class Cart:
    """One buyer's session (a cart until it is paid) with the Shop API at `url`/shop-api."""

    def __init__(self, url: str, timeout_s: float = 30.0):
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=timeout_s)
        self.token: str | None = None

    def query(self, query: str, variables: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.post(f"{self.url}/shop-api", json={"query": query, "variables": variables or {}},
                                  headers=headers)
        if response.status_code >= 400:
            raise RuntimeError(f"the Shop API answered HTTP {response.status_code}: {response.text[:500]}")
        self.token = response.headers.get(TOKEN_HEADER, self.token)  # the cart's session
        answer = response.json()
        if answer.get("errors"):
            raise RuntimeError(f"the Shop API refused: {answer['errors']}")
        return answer["data"]

    def _mutate(self, name: str, query: str, variables: dict | None = None) -> dict:
        answer = self.query(query, variables)[name]
        if "errorCode" in answer:
            detail = answer.get("transitionError") or answer["message"]
            if answer["errorCode"] == "INSUFFICIENT_STOCK_ERROR" or "stock" in detail.lower():
                raise OutOfStock(detail)
            raise RuntimeError(f"{name}: {detail}")
        return answer

    def add(self, variant_id: str, units: int = 1) -> None:
        self._mutate("addItemToOrder", f"""mutation($id: ID!, $qty: Int!) {{
            addItemToOrder(productVariantId: $id, quantity: $qty) {{ ... on Order {{ code }} {ERROR} }} }}""",
                     {"id": variant_id, "qty": units})

    def checkout(self, email: str = "ann@example.com", address: dict[str, str] | None = None) -> str:
        """Who, where, how it ships, then pay: returns the order's code."""
        name = email.split("@")[0].title()
        self._mutate("setCustomerForOrder", "mutation($input: CreateCustomerInput!) { setCustomerForOrder(input: "
                     f"$input) {{ ... on Order {{ code }} {ERROR} }} }}",
                     {"input": {"emailAddress": email, "firstName": name, "lastName": "Buyer"}})
        self._mutate("setOrderShippingAddress", "mutation($input: CreateAddressInput!) { setOrderShippingAddress("
                     f"input: $input) {{ ... on Order {{ code }} {ERROR} }} }}",
                     {"input": {**ADDRESS, "fullName": f"{name} Buyer", **(address or {})}})
        methods = self.query("{ eligibleShippingMethods { id } }")["eligibleShippingMethods"]
        self._mutate("setOrderShippingMethod", f"""mutation($ids: [ID!]!) {{ setOrderShippingMethod(
            shippingMethodId: $ids) {{ ... on Order {{ code }} {ERROR} }} }}""", {"ids": [methods[0]["id"]]})
        # Vendure checks the cart's stock again here: a unit sold meanwhile stops the checkout.
        self._mutate("transitionOrderToState", f"""mutation {{ transitionOrderToState(state: "ArrangingPayment")
            {{ ... on Order {{ code }} {TRANSITION_ERROR} }} }}""")
        paid = self._mutate("addPaymentToOrder", f"""mutation {{ addPaymentToOrder(input: {{ method: "sandbox-card",
            metadata: {{}} }}) {{ ... on Order {{ code state }} {ERROR} }} }}""")
        return paid["code"]

    def close(self) -> None:
        self.http.close()


def variant_ids(url: str) -> dict[str, str]:
    """SKU -> variant id of everything the storefront sells."""
    cart = Cart(url)
    try:
        items = cart.query("{ products(options: { take: 100 }) { items { variants { id sku } } } }")
    finally:
        cart.close()
    return {v["sku"]: v["id"] for p in items["products"]["items"] for v in p["variants"]}


def place_order(url: str, items: dict[str, int], email: str = "ann@example.com",
                address: dict[str, str] | None = None, ids: dict[str, str] | None = None) -> str:
    """Buy `items` (SKU -> units) as a guest; returns the order's code. OutOfStock when the
    shop refuses a unit."""
    ids = ids or variant_ids(url)
    cart = Cart(url)
    try:
        for sku, units in items.items():
            cart.add(ids[sku], units)
        return cart.checkout(email, address)
    finally:
        cart.close()
