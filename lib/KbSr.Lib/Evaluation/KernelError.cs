using KbSr.Degradation;
using KbSr.Model;
using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>Mean kernel L1 error Σ|K_t − K_true| of stage t (0 = the initial estimate K0) at one σ.</summary>
public sealed record KernelErrorPoint(double Sigma, int Stage, double L1);

/// <summary>
/// How far estimated blur kernels are from the true ones (the paper's Fig. 5 and the §5.3 ablations):
/// the L1 distance Σ|K − K_true| over the k×k entries (0 for a perfect estimate, at most 2 for two kernels that
/// each sum to 1), per stage and over a sweep of σ, and the same distance for kernels passed through a PCA.
/// </summary>
public static class KernelError
{
    /// <summary>Σ|K − K_true| for [k,k] kernels, or its mean over the batch for [B,k,k]; computed in float64.</summary>
    public static double L1(Tensor estimated, Tensor truth)
    {
        using var scope = NewDisposeScope();
        var e = estimated.detach().to(CPU).to_type(ScalarType.Float64);
        var t = truth.detach().to(CPU).to_type(ScalarType.Float64);
        if (e.shape[^1] != t.shape[^1] || e.shape[^2] != t.shape[^2])
            throw new ArgumentException($"kernels of [{string.Join(",", estimated.shape)}] and [{string.Join(",", truth.shape)}] differ in size");
        if (e.dim() == 2) e = e.unsqueeze(0);
        if (t.dim() == 2) t = t.unsqueeze(0);
        return (e - t).abs().sum([1, 2]).mean().item<double>();
    }

    /// <summary>The error of K0, K1, …, K_T of one forward pass (index = stage t).</summary>
    public static IReadOnlyList<double> PerStage(KbSrOutput output, Tensor truth) =>
        new[] { output.InitialKernel }.Concat(output.Kernels).Select(k => L1(k, truth)).ToList();

    /// <summary>
    /// For every σ: synthesises each HR image's LR input exactly as the test sets do (<see cref="TestSetSynthesis.MakeLr"/>),
    /// runs <paramref name="net"/> in eval mode without gradients, and averages the per-stage error over the images.
    /// </summary>
    /// <param name="net">The network; its own device is used.</param>
    /// <param name="hrImages">HR images [3,H,W] in [0,1], sides multiples of the network's scale.</param>
    /// <param name="sigmas">Kernel widths σ in HR pixels (0 = a delta kernel).</param>
    public static IReadOnlyList<KernelErrorPoint> Sweep(KbSrNet net, IReadOnlyList<Tensor> hrImages, IReadOnlyList<double> sigmas)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (hrImages.Count == 0) throw new ArgumentException("no HR image to sweep over", nameof(hrImages));
        var device = net.parameters().First().device;
        bool wasTraining = net.training;
        net.eval();
        try
        {
            var points = new List<KernelErrorPoint>();
            foreach (double sigma in sigmas)
            {
                var sums = new double[net.Config.Stages + 1];
                foreach (var hr in hrImages)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    var lr = TestSetSynthesis.MakeLr(hr.to(device), sigma, net.Config.Scale, net.Config.KernelSize);
                    using var output = net.Run(lr);
                    var errors = PerStage(output, TestSetSynthesis.TrueKernel(sigma, net.Config.KernelSize));
                    for (int t = 0; t < sums.Length; t++) sums[t] += errors[t];
                }
                for (int t = 0; t < sums.Length; t++) points.Add(new KernelErrorPoint(sigma, t, sums[t] / hrImages.Count));
            }
            return points;
        }
        finally
        {
            if (wasTraining) net.train();
        }
    }

    /// <summary>Mass of a [k,k] kernel outside the centred (2·<paramref name="radius"/>+1)² square — the "corner artefact" of
    /// the paper's Fig. 5 shows up as estimated mass there that the true Gaussian does not have.</summary>
    public static double MassOutside(Tensor kernel, int radius)
    {
        using var scope = NewDisposeScope();
        var k = kernel.detach().to(CPU).to_type(ScalarType.Float64).squeeze();
        if (k.dim() != 2 || k.shape[0] != k.shape[1]) throw new ArgumentException($"kernel must be [k,k], got [{string.Join(",", kernel.shape)}]");
        int c = (int)k.shape[0] / 2;
        if (radius < 0 || radius > c) throw new ArgumentOutOfRangeException(nameof(radius), radius, $"expected 0 … {c}");
        var inside = k[(c - radius)..(c + radius + 1), (c - radius)..(c + radius + 1)].sum();
        return (k.sum() - inside).item<double>();
    }

    /// <summary>Mean Σ|K − Decode(Encode(K))| over <paramref name="kernels"/> [B,k,k]: what a PCA of that many
    /// dimensions loses of each kernel (the kernel loss of eq. 3 cannot see it).</summary>
    public static double PcaReconstruction(KernelPca pca, Tensor kernels)
    {
        ArgumentNullException.ThrowIfNull(pca);
        using var scope = NewDisposeScope();
        var k = kernels.detach().to(CPU).to_type(ScalarType.Float32);
        return L1(pca.Decode(pca.Encode(k)), k);
    }
}
