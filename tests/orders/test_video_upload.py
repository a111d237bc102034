"""Clips reach the sandbox marketplace through the browser: a listing's video and the live room."""

import av
import httpx
import numpy as np


def tiny_mp4(path):
    """A real one-second H.264 clip."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for n in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), n * 20, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def test_listing_video_and_live_room(driver, market, items, tmp_path):
    clip = tiny_mp4(tmp_path / "clip.mp4")
    remote = str(items.MUG[0])
    driver.upload_listing_videos(remote, [clip], {})
    listed = next(p for p in httpx.get(f"{market.url}/products.json").json()["products"] if str(p["id"]) == remote)
    assert listed["has_video"] is True
    assert "<video" in httpx.get(f"{market.url}/products/{remote}").text
    # A listing with two looks: both clips go up, and the variant named plays the second.
    tee = str(items.TEE_M[0])
    driver.upload_listing_videos(tee, [clip, tiny_mp4(tmp_path / "other.mp4")], {"TEE-01-M": 2})
    listed = next(p for p in httpx.get(f"{market.url}/products.json").json()["products"] if str(p["id"]) == tee)
    assert listed["videos"] == 2 and {v["sku"]: v["video"] for v in listed["variants"]}["TEE-01-M"] == 2

    assert driver.live_room_max_bytes() == 60 * 2**20  # the limit the live room's form states
    driver.set_live_room(clip, [{"sku": items.MUG[2], "start_s": 0, "end_s": 1}])
    page = httpx.get(f"{market.url}/live").text
    assert "<video" in page and "Stoneware coffee mug" in page  # the card of what is on air
