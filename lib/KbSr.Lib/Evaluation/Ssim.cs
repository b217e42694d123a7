using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// Structural similarity (Wang et al. 2004) as docs/method.md §8.2 fixes it: on the same quantised,
/// cropped luma as <see cref="Psnr"/> (0–255), 11×11 Gaussian window σ = 1.5,
/// C1 = (0.01·255)², C2 = (0.03·255)², valid region only, mean of the map, no downsampling;
/// computed with conv2d in float64.
/// </summary>
public static class Ssim
{
    public const int WindowSize = 11;
    public const double WindowSigma = 1.5;
    private const double C1 = 0.01 * 255 * 0.01 * 255;
    private const double C2 = 0.03 * 255 * 0.03 * 255;

    public static double OnY(Tensor sr, Tensor hr, int shave, bool grey = false)
    {
        using var scope = NewDisposeScope();
        var (s, h) = MetricInput.LumaPlanes(sr, hr, shave, grey);
        if (s.shape[1] < WindowSize || s.shape[2] < WindowSize)
            throw new ArgumentException(
                $"SSIM needs at least {WindowSize}x{WindowSize} pixels after the crop; got {s.shape[2]}x{s.shape[1]}", nameof(sr));
        return Map(s.unsqueeze(0), h.unsqueeze(0)).mean().item<double>();
    }

    /// <summary>The SSIM map of two <c>[B,1,H,W]</c> float64 planes, valid region only.</summary>
    private static Tensor Map(Tensor x, Tensor y)
    {
        // The Gaussian window is separable, and float64 convolution has no fast CPU kernel, so each
        // 11-tap pass is a weighted sum of shifted views (~40× faster than an 11×11 conv2d). All five
        // local moments go through the passes together, stacked along the batch.
        var weights = Window();
        var stacked = cat([x, y, x.square(), y.square(), x.mul(y)], 0);   // [5B,1,H,W]
        var moments = ValidPass(ValidPass(stacked, weights, dim: 3), weights, dim: 2).chunk(5, 0);
        var (muX, muY) = (moments[0], moments[1]);
        var muXX = muX.square();
        var muYY = muY.square();
        var muXY = muX.mul(muY);
        var varX = moments[2].sub(muXX);
        var varY = moments[3].sub(muYY);
        var covXY = moments[4].sub(muXY);
        var numerator = muXY.mul(2).add_(C1).mul_(covXY.mul(2).add_(C2));
        var denominator = muXX.add(muYY).add_(C1).mul_(varX.add(varY).add_(C2));
        return numerator.div_(denominator);
    }

    // Valid-region 1-D filtering along `dim`: Σ_i w_i · x[i : i + n − 10].
    private static Tensor ValidPass(Tensor x, double[] weights, int dim)
    {
        long n = x.shape[dim] - weights.Length + 1;
        var sum = x.narrow(dim, 0, n).mul(weights[0]);
        for (int i = 1; i < weights.Length; i++) sum.add_(x.narrow(dim, i, n), alpha: weights[i]);
        return sum;
    }

    // The normalised 1-D Gaussian, σ = 1.5, 11 taps.
    private static double[] Window()
    {
        var g = Enumerable.Range(0, WindowSize)
            .Select(i => Math.Exp(-Math.Pow(i - (WindowSize - 1) / 2.0, 2) / (2 * WindowSigma * WindowSigma))).ToArray();
        double total = g.Sum();
        return g.Select(v => v / total).ToArray();
    }
}
