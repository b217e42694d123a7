using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// Structural similarity (Wang et al. 2004) as method.md §8.2 fixes it: on the same quantised,
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
        var window = Window(x.device);
        Tensor Blur(Tensor t) => nn.functional.conv2d(t, window);
        var muX = Blur(x);
        var muY = Blur(y);
        var muXX = muX.square();
        var muYY = muY.square();
        var muXY = muX.mul(muY);
        var varX = Blur(x.square()).sub_(muXX);
        var varY = Blur(y.square()).sub_(muYY);
        var covXY = Blur(x.mul(y)).sub_(muXY);
        var numerator = muXY.mul(2).add_(C1).mul_(covXY.mul(2).add_(C2));
        var denominator = muXX.add(muYY).add_(C1).mul_(varX.add(varY).add_(C2));
        return numerator.div_(denominator);
    }

    // Outer product of the normalised 1-D Gaussian: [1,1,11,11].
    private static Tensor Window(Device device)
    {
        var offsets = arange(WindowSize, dtype: float64, device: device).sub_((WindowSize - 1) / 2.0);
        var g = offsets.square().div_(-2 * WindowSigma * WindowSigma).exp_();
        g.div_(g.sum());
        return outer(g, g).reshape(1, 1, WindowSize, WindowSize);
    }
}
