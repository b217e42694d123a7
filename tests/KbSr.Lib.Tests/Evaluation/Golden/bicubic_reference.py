#!/usr/bin/env python3
"""Independent reference for the evaluation tests: the ×4 protocol of method.md §6/§8 written out in plain
Python (float64, no numpy, no code shared with the library), from the definitions only:

  HR  = the integer test pattern below (the tests build the same pattern in C#), mod-cropped to a multiple of 4;
  LR  = MATLAB imresize(·, 1/4, 'bicubic') of HR (σ = 0), or of HR blurred with the isotropic 21×21 Gaussian of σ
        (reflection padding of 10, edge pixel not repeated), clamped and rounded to 8 bits (half to even);
  SR  = MATLAB imresize(LR, 4, 'bicubic');
  PSNR-Y / SSIM-Y: SR clamped and rounded to 8 bits (half up, as im2uint8), BT.601 studio-swing Y
        (16 + (65.481 R + 128.553 G + 24.966 B)/255 on 0..255 values), 4 pixels shaved per side, MSE in float64,
        10·log10(255²/MSE); SSIM with the 11×11 Gaussian window σ = 1.5, C1 = (0.01·255)², C2 = (0.03·255)²,
        valid region, mean of the map.

imresize follows MATLAB's contributions(): cubic a = −0.5; u = x/s + 0.5(1 − 1/s); when shrinking, width 4/s and
weight s·w(s·d); left = floor(u − width/2); ceil(width) + 2 taps; weights normalised; indices mirrored with the
edge pixel repeated. The script checks itself against method.md §8.1's check values before writing anything.

Values within AMBIGUOUS of a rounding boundary are listed: float32 arithmetic may round them either way.

Run:  python3 bicubic_reference.py > bicubic_reference.json
"""
import json
import math

AMBIGUOUS = 1e-3   # in 8-bit levels


def cubic(x):
    x = abs(x)
    if x <= 1:
        return 1.5 * x ** 3 - 2.5 * x ** 2 + 1
    if x <= 2:
        return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2
    return 0.0


def contributions(in_len, scale):
    """Dense out_len × in_len weight matrix of MATLAB's bicubic imresize along one dimension."""
    out_len = math.ceil(in_len * scale)
    width = 4.0 / scale if scale < 1 else 4.0
    matrix = []
    for x in range(1, out_len + 1):
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = math.floor(u - width / 2)
        taps = [(left + j, u - (left + j)) for j in range(math.ceil(width) + 2)]
        w = [scale * cubic(scale * d) if scale < 1 else cubic(d) for _, d in taps]
        total = sum(w)
        row = [0.0] * in_len
        for (index, _), weight in zip(taps, w):
            m = (index - 1) % (2 * in_len)                  # mirror: 0 → 1, −1 → 2, in_len + 1 → in_len
            row[m if m < in_len else 2 * in_len - 1 - m] += weight / total
        matrix.append(row)
    return matrix


def resize(planes, scale):
    """planes: [c][h][w] floats → [c][h'][w']; along H, then along W."""
    h, w = len(planes[0]), len(planes[0][0])
    rows, cols = contributions(h, scale), contributions(w, scale)
    out = []
    for p in planes:
        tall = [[sum(r[i] * p[i][x] for i in range(h) if r[i]) for x in range(w)] for r in rows]
        out.append([[sum(c[j] * line[j] for j in range(w) if c[j]) for c in cols] for line in tall])
    return out


def gaussian(sigma, size=21):
    r = size // 2
    g = [[math.exp(-(x * x + y * y) / (2 * sigma * sigma)) for x in range(-r, r + 1)] for y in range(-r, r + 1)]
    total = sum(map(sum, g))
    return [[v / total for v in row] for row in g]


def blur(planes, kernel):
    k = len(kernel)
    r = k // 2
    h, w = len(planes[0]), len(planes[0][0])

    def reflect(i, n):                                       # −1 → 1, n → n − 2 (edge not repeated)
        return -i if i < 0 else 2 * (n - 1) - i if i >= n else i

    return [[[sum(kernel[dy][dx] * p[reflect(y + dy - r, h)][reflect(x + dx - r, w)]
                  for dy in range(k) for dx in range(k)) for x in range(w)] for y in range(h)] for p in planes]


def pattern(width, height, seed):
    """The test image, 0..255 integers [c][y][x]; EvalTestData.Pattern builds the same one."""
    return [[[(17 + 29 * c + 3 * x + 5 * y + (x * y * (c + 1)) // 7 + 41 * seed) % 256 for x in range(width)]
             for y in range(height)] for c in range(3)]


def quantize_even(planes):
    flat, ambiguous = [], []
    for p in planes:
        for line in p:
            for v in line:
                level = min(max(v, 0.0), 1.0) * 255
                if abs(level - math.floor(level) - 0.5) < AMBIGUOUS:
                    ambiguous.append(len(flat))
                flat.append(round(level))                    # Python rounds half to even, like torch.round
    return flat, ambiguous


def luma(planes_255, y, x):
    r, g, b = (p[y][x] for p in planes_255)
    return 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255


def metrics(sr, hr, shave):
    ambiguous = 0
    q = []
    for p in sr:
        qp = []
        for line in p:
            out = []
            for v in line:
                level = min(max(v, 0.0), 1.0) * 255
                ambiguous += abs(level - math.floor(level) - 0.5) < AMBIGUOUS
                out.append(math.floor(level + 0.5))
            qp.append(out)
        q.append(qp)
    h, w = len(hr[0]), len(hr[0][0])
    ys = [[luma(q, y, x) for x in range(shave, w - shave)] for y in range(shave, h - shave)]
    yh = [[luma(hr, y, x) for x in range(shave, w - shave)] for y in range(shave, h - shave)]
    n = sum(len(line) for line in ys)
    mse = sum((a - b) ** 2 for la, lb in zip(ys, yh) for a, b in zip(la, lb)) / n
    psnr = 10 * math.log10(255 * 255 / mse)

    window = [math.exp(-((i - 5) ** 2) / (2 * 1.5 ** 2)) for i in range(11)]
    total = sum(window) ** 2
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    values = []
    for y in range(len(ys) - 10):
        for x in range(len(ys[0]) - 10):
            mx = my = sxx = syy = sxy = 0.0
            for i in range(11):
                for j in range(11):
                    wgt = window[i] * window[j] / total
                    a, b = ys[y + i][x + j], yh[y + i][x + j]
                    mx += wgt * a
                    my += wgt * b
                    sxx += wgt * a * a
                    syy += wgt * b * b
                    sxy += wgt * a * b
            vx, vy, cxy = sxx - mx * mx, syy - my * my, sxy - mx * my
            values.append((2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2)))
    return psnr, sum(values) / len(values), ambiguous


def self_check():
    """method.md §8.1's check values: ×1/4 interior taps of one LR pixel, and the first rows of ×4 upsampling."""
    row = contributions(64, 0.25)[8]                         # LR pixel j = 8 (0-based) reads HR 4j − 6 … 4j + 9
    expected = [-0.001709, -0.010986, -0.018311, -0.011963, 0.022705, 0.097412, 0.181885, 0.240967]
    taps = row[26:42]
    assert all(abs(a - b) < 1e-6 for a, b in zip(taps, expected + expected[::-1])), taps
    assert sum(1 for v in row if v) == 16
    up = contributions(10, 4)
    assert abs(up[0][0] - 1.11719) < 1e-5 and abs(up[0][1] + 0.11719) < 1e-5, up[0][:3]
    assert abs(up[1][0] - 1.05469) < 1e-5 and abs(up[1][1] + 0.05469) < 1e-5, up[1][:3]


def main():
    self_check()
    images = []
    for name, width, height, seed in [("a", 50, 42, 1), ("b", 46, 39, 2)]:
        hr = [[line[: width // 4 * 4] for line in p[: height // 4 * 4]] for p in pattern(width, height, seed)]
        hr01 = [[[v / 255 for v in line] for line in p] for p in hr]
        entry = {"name": name, "width": width, "height": height, "seed": seed, "sigmas": []}
        for sigma in (0.0, 1.3):
            degraded = resize(hr01 if sigma == 0 else blur(hr01, gaussian(sigma)), 0.25)
            lr, ambiguous = quantize_even(degraded)
            lh, lw = len(degraded[0]), len(degraded[0][0])
            planes = [[[lr[(c * lh + y) * lw + x] / 255 for x in range(lw)] for y in range(lh)] for c in range(3)]
            psnr, ssim, sr_ambiguous = metrics(resize(planes, 4), hr, shave=4)
            entry["sigmas"].append({"sigma": sigma, "lrWidth": lw, "lrHeight": lh, "lr": lr, "lrAmbiguous": ambiguous,
                                    "srAmbiguous": sr_ambiguous, "psnrY": psnr, "ssimY": ssim})
        images.append(entry)
    print(json.dumps({"source": "bicubic_reference.py", "ambiguousLevels": AMBIGUOUS, "images": images}))


if __name__ == "__main__":
    main()
