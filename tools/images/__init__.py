"""Product pictures: background removal, re-staging per platform size, the long detail
image, the shop's logo and banner, and model-made lifestyle scenes marked as AI-made."""

from tools.images.tool import make_brand_images, make_product_images

__all__ = ["make_brand_images", "make_product_images"]
