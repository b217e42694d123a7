using static TorchSharp.torch;

namespace KbSr.Imaging;

/// <summary>Blur kernels as pictures and as numbers people read: a zoomed grey image (peak = white) and the
/// kernel's spread σ, √ of its mean second moment — equal to σ for an isotropic Gaussian.</summary>
public static class KernelImage
{
    /// <summary>[k,k] → an RGB image of (k·zoom)², scaled so the kernel's peak is white; nearest-neighbour zoom.</summary>
    public static RgbImage ToImage(Tensor kernel, int zoom = 8)
    {
        if (zoom < 1) throw new ArgumentException($"zoom must be ≥ 1, got {zoom}");
        using var scope = NewDisposeScope();
        var k = kernel.detach().to(CPU).to_type(ScalarType.Float32).squeeze();
        if (k.dim() != 2) throw new ArgumentException($"kernel must be [k,k], got [{string.Join(",", kernel.shape)}]");
        var peak = k.max().clamp_min(1e-12);
        var grey = (k / peak).repeat_interleave(zoom, 0).repeat_interleave(zoom, 1);
        return RgbImage.FromTensor(grey.unsqueeze(0).expand(3, -1, -1), wasGrey: true);
    }

    /// <summary>√(½ Σ k(y,x)·((x−x̄)² + (y−ȳ)²)) in pixels: the per-axis spread about the kernel's centre of mass.</summary>
    public static double Spread(Tensor kernel)
    {
        using var scope = NewDisposeScope();
        var k = kernel.detach().to(CPU).to_type(ScalarType.Float64).squeeze();
        k = k / k.sum();
        long n = k.shape[0];
        var coords = arange(n, dtype: float64) - (n - 1) / 2.0;
        var marginalY = k.sum(1);
        var marginalX = k.sum(0);
        double my = (marginalY * coords).sum().item<double>(), mx = (marginalX * coords).sum().item<double>();
        double vy = (marginalY * (coords - my).square()).sum().item<double>();
        double vx = (marginalX * (coords - mx).square()).sum().item<double>();
        return Math.Sqrt((vx + vy) / 2);
    }
}
