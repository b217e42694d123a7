using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// Draws blur kernels from a <see cref="KernelDistribution"/> (the "k ~ kernel sampler" of eq. 1's synthesis,
/// docs/method.md §5). Only the parameters are random, and they come from the generator passed in, so a seed
/// fixes the kernels; the kernels themselves are the deterministic <see cref="GaussianKernel"/> functions.
/// </summary>
public sealed class KernelSampler
{
    public KernelSampler(KernelDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        distribution.Validate();
        Distribution = distribution;
    }

    public KernelDistribution Distribution { get; }

    /// <summary>
    /// <paramref name="batch"/> kernels: float32 [B, k, k] (each sums to 1) and the σ of each (σx for the
    /// anisotropic family), float32 [B], both on <paramref name="device"/> (default: the generator's device).
    /// Deterministic given the generator's state; the parameters are drawn on the generator's device.
    /// </summary>
    public (Tensor Kernels, Tensor Sigmas) Sample(int batch, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        var d = Distribution;
        var target = device ?? generator.device;
        using var scope = NewDisposeScope();
        Tensor kernels, sigmas;
        switch (d.Family)
        {
            case KernelFamily.Isotropic:
                sigmas = Uniform(batch, d.SigmaMin, d.SigmaMax, generator).to(target);
                kernels = GaussianKernel.IsotropicBatch(sigmas, d.KernelSize);
                break;
            case KernelFamily.Anisotropic:
            {
                var draws = rand(new long[] { batch, 3 }, dtype: float64, device: generator.device, generator: generator).to(target);
                sigmas = d.SigmaMin + (d.SigmaMax - d.SigmaMin) * draws[.., 0];
                var sigmaY = d.SigmaMin + (d.SigmaMax - d.SigmaMin) * draws[.., 1];
                var theta = Math.PI * draws[.., 2];
                kernels = GaussianKernel.AnisotropicBatch(sigmas, sigmaY, theta, d.KernelSize);
                break;
            }
            case KernelFamily.FixedSigmas:
            {
                var list = tensor(d.FixedSigmas!.ToArray(), dtype: float64, device: generator.device);
                var index = randint(0, list.shape[0], new long[] { batch }, device: generator.device, generator: generator);
                sigmas = list.index_select(0, index).to(target);
                kernels = GaussianKernel.IsotropicBatch(sigmas, d.KernelSize);
                break;
            }
            default:
                throw new ArgumentException($"unknown kernel family {d.Family}");
        }
        return (kernels.MoveToOuterDisposeScope(), sigmas.to(float32).MoveToOuterDisposeScope());
    }

    private static Tensor Uniform(int batch, double min, double max, Generator generator) =>
        min + (max - min) * rand(new long[] { batch }, dtype: float64, device: generator.device, generator: generator);
}
