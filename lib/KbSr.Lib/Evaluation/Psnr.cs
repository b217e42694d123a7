using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// Peak signal-to-noise ratio as docs/method.md §6 and §8.2 define it: SR clamped and rounded to 8 bits,
/// luma (BT.601 studio swing; a grey image's own channel), <c>shave</c> pixels cropped per side,
/// MSE in float64, 10·log10(255² / MSE). Identical images give +∞.
/// </summary>
public static class Psnr
{
    /// <summary>PSNR on Y of <c>[3,H,W]</c> (or <c>[1,3,H,W]</c>) tensors in [0,1]; <paramref name="grey"/> for grey HR images.</summary>
    public static double OnY(Tensor sr, Tensor hr, int shave, bool grey = false)
    {
        using var scope = NewDisposeScope();
        var (s, h) = MetricInput.LumaPlanes(sr, hr, shave, grey);
        return FromMse(s.sub(h).square().mean().item<double>());
    }

    /// <summary>PSNR over all three RGB channels (same quantisation and crop).</summary>
    public static double OnRgb(Tensor sr, Tensor hr, int shave)
    {
        using var scope = NewDisposeScope();
        var (s, h) = MetricInput.Quantized(sr, hr, shave);
        return FromMse(s.sub(h).square().mean().item<double>());
    }

    /// <summary>10·log10(255² / <paramref name="mse"/>) for an MSE on the 0–255 scale.</summary>
    public static double FromMse(double mse) =>
        mse <= 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
}
