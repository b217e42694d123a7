using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>Inputs of stage t's kernel estimator (Fig. 2).</summary>
/// <param name="SrFeatures">[SRf1 .. SRft] concatenated: [B, t·C, s·h, s·w].</param>
/// <param name="LrFeature0">LRf0: [B, C, h, w].</param>
/// <param name="PreviousKernel">K(t−1): [B, k, k].</param>
/// <param name="PreviousDifference">D(t−1) [B, 3, h, w] when the §5.3 option is on, else null.</param>
public sealed record KernelEstimatorInput(Tensor SrFeatures, Tensor LrFeature0, Tensor PreviousKernel, Tensor? PreviousDifference);

/// <summary>Stage t's kernel: <paramref name="Kernel"/> [B, k, k] (non-negative, sums to 1) and, in the per-pixel
/// variant, <paramref name="Field"/> [B, k, k, h, w] (each pixel's kernel sums to 1; Kernel is its spatial mean).</summary>
public sealed record KernelEstimate(Tensor Kernel, Tensor? Field);

/// <summary>
/// The kernel estimator of Fig. 2, every stage (docs/method.md §3): SR'ft = conv(concat SRf) to LR size with the
/// projection geometry; Kres = (SR'ft − LRf0)²; K'f = two 1×1 convs; Kf = 1×1 conv(concat(K'f, K'(t−1)))
/// to k²; GAP; softmax; reshape to k×k. Optional §5.3 input: D(t−1) joins the concat. Optional per-pixel
/// variant (the paper's remark): no GAP, a softmax at every pixel.
/// </summary>
public sealed class KernelEstimator : nn.Module<KernelEstimatorInput, KernelEstimate>
{
    private readonly Conv2d to_lr;
    private readonly Conv2d residual_conv1;
    private readonly LeakyReLU residual_act1;
    private readonly Conv2d residual_conv2;
    private readonly LeakyReLU residual_act2;
    private readonly Conv2d fuse;
    private readonly int _kernelSize;
    private readonly bool _perPixel;

    public KernelEstimator(int srFeatureChannels, int channels, int scale, int kernelSize, double slope = 0.2,
                           bool withDifference = false, int imageChannels = 3, bool perPixel = false)
        : base(nameof(KernelEstimator))
    {
        _kernelSize = kernelSize;
        _perPixel = perPixel;
        int k2 = kernelSize * kernelSize;
        to_lr = ProjectionGeometry.Of(scale).Conv(srFeatureChannels, channels);
        residual_conv1 = nn.Conv2d(channels, channels, kernel_size: 1);
        residual_act1 = nn.LeakyReLU(negative_slope: slope);
        residual_conv2 = nn.Conv2d(channels, channels, kernel_size: 1);
        residual_act2 = nn.LeakyReLU(negative_slope: slope);
        fuse = nn.Conv2d(channels + k2 + (withDifference ? imageChannels : 0), k2, kernel_size: 1);
        RegisterComponents();
    }

    public override KernelEstimate forward(KernelEstimatorInput input)
    {
        int k = _kernelSize;
        using var scope = NewDisposeScope();   // intermediates go when the estimator is done (inference memory)
        var kres = (to_lr.call(input.SrFeatures) - input.LrFeature0).square();          // Fig. 2 steps 1–2: [B, C, h, w]
        var kf = residual_act2.call(residual_conv2.call(residual_act1.call(residual_conv1.call(kres))));
        var previous = input.PreviousKernel.reshape(-1, k * k, 1, 1);                    // K'(t−1) before replication
        if (!_perPixel)
        {
            // GAP commutes with the 1×1 fusing conv (both linear), so pooling first is exact and saves the
            // replication of K(t−1) over the grid: k²·h·w fewer multiply-adds per channel.
            var pooled = new List<Tensor> { kf.mean([2, 3], keepdim: true), previous };
            if (input.PreviousDifference is not null) pooled.Add(input.PreviousDifference.mean([2, 3], keepdim: true));
            var logits = fuse.call(cat(pooled, dim: 1)).flatten(1);                      // [B, k²]
            return new KernelEstimate(softmax(logits, dim: 1).view(-1, k, k).MoveToOuterDisposeScope(), null);
        }
        long h = kf.shape[2], w = kf.shape[3];
        var parts = new List<Tensor> { kf, previous.expand(-1, -1, h, w) };
        if (input.PreviousDifference is not null) parts.Add(input.PreviousDifference);
        var field = softmax(fuse.call(cat(parts, dim: 1)), dim: 1);                      // [B, k², h, w]
        var kernel = field.mean([2, 3]).view(-1, k, k);
        return new KernelEstimate(kernel.MoveToOuterDisposeScope(), field.view(-1, k, k, h, w).MoveToOuterDisposeScope());
    }
}
