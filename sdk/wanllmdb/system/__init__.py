"""System metrics: a background sampler over psutil, NVIDIA (pynvml) and AMD (amdsmi) sources."""
