"""Avatar promo clips per product and the looping live room, made offline."""

from tools.clips.live import build_live_room
from tools.clips.refresh import refresh_promo_clips
from tools.clips.tool import make_promo_clip

__all__ = ["build_live_room", "make_promo_clip", "refresh_promo_clips"]
