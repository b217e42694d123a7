using static TorchSharp.torch;

namespace KbSr.Imaging;

/// <summary>
/// A procedurally generated resolution chart, for tests and benchmarks on a machine without datasets:
/// a zone plate (rings of rising frequency — shows aliasing and lost detail), colour bars, a slanted
/// edge, checkerboards of several periods and smooth gradients. Deterministic; no files needed.
/// </summary>
public static class TestChart
{
    /// <summary>The chart as [3,size,size] float32 in [0,1] (size a multiple of 8, at least 64).</summary>
    public static Tensor Make(int size = 256, Device? device = null)
    {
        if (size < 64 || size % 8 != 0) throw new ArgumentException($"test chart size {size}: expected a multiple of 8, at least 64");
        using var scope = NewDisposeScope();
        device ??= CPU;
        var coords = arange(size, dtype: float32, device: device).div(size);   // [0,1)
        var grids = meshgrid([coords, coords], indexing: "ij");
        var (y, x) = (grids[0], grids[1]);
        var image = zeros(3, size, size, device: device);

        // Top-left quadrant: zone plate, cos(π f r²) with f rising to the Nyquist limit at the corner.
        var r2 = (x - 0.25).square() + (y - 0.25).square();
        var zone = (cos(r2 * (Math.PI * size * 2)) * 0.5 + 0.5);
        var topLeft = (x < 0.5) & (y < 0.5);
        image = where(topLeft, zone.expand(3, size, size), image);

        // Top-right: vertical colour bars (R, G, B, C, M, Y, K, W).
        var bar = ((x - 0.5) * 16).floor().clamp(0, 7).to(int64);
        var palette = tensor(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 0, 1, 1 }, { 1, 0, 1 }, { 1, 1, 0 }, { 0, 0, 0 }, { 1, 1, 1 } }, device: device);
        var bars = palette[bar].permute(2, 0, 1);                                // [3,H,W]
        image = where((x >= 0.5) & (y < 0.25), bars, image);
        // below the bars: a slanted edge (5°), the classic sharpness target
        var edge = ((x - 0.75) * Math.Cos(0.087) + (y - 0.375) * Math.Sin(0.087) > 0).to(float32) * 0.8 + 0.1;
        image = where((x >= 0.5) & (y >= 0.25) & (y < 0.5), edge.expand(3, size, size), image);

        // Bottom-left: checkerboards with periods 2, 4, 8 and 16 pixels, one per band.
        var px = arange(size, device: device).to(int64);
        var pgrid = meshgrid([px, px], indexing: "ij");
        var band = ((x) * 8).floor().clamp(0, 3).to(int64);                     // 0..3 across the left half
        var side = pow(2, band);                                                // squares of 1, 2, 4, 8 px
        // floor division: `/` on integer tensors is true division and would give a ramp, not squares
        var checker = ((pgrid[0].div(side, rounding_mode: RoundingMode.floor) +
                        pgrid[1].div(side, rounding_mode: RoundingMode.floor)) % 2).to(float32);
        image = where((x < 0.5) & (y >= 0.5), checker.expand(3, size, size), image);

        // Bottom-right: smooth colour gradients (what SR must not add artefacts to).
        var grad = stack([x * 2 - 1, y * 2 - 1, (x + y) - 1.0]).clamp(0, 1);
        image = where((x >= 0.5) & (y >= 0.5), grad, image);

        return image.clamp(0, 1).MoveToOuterDisposeScope();
    }
}
