"""Many shops on Temporal: a workflow per shop pass, activities that run the executor's runs,
task queues by kind of work polled by workers on any machine.

Nothing here is imported by the single-shop commands unless a shop joined a fleet; the
Temporal SDK itself is imported only inside this package (the `fleet` extra).
"""

# Task queues by kind of work: browser and model work, media rendering, media on a GPU.
SHOPS = "shops"
MEDIA = "media"
MEDIA_GPU = "media-gpu"
QUEUES = (SHOPS, MEDIA, MEDIA_GPU)
