using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>
/// A non-blind network (<see cref="INonBlindNetwork"/>) as a super-resolver, in one of the two protocols the tables
/// label: given the true kernel (an upper bound: what the quoted rows of IKC's paper measure), or blind, with the kernel
/// estimated from the LR image by <paramref name="estimator"/> (IKC's Predictor, <see cref="IkcKernelEstimator"/>).
/// Either way the kernel reaches the network as its code in the network's own stored PCA.
/// </summary>
public sealed class NonBlindSuperResolver(INonBlindNetwork net, KernelPca pca, string name, IKernelEstimator? estimator = null)
    : IKernelGivenSuperResolver, ICostedSuperResolver
{
    public string Name { get; } = name;

    public INonBlindNetwork Net { get; } = net;

    /// <summary>Null: given the true kernel.</summary>
    public IKernelEstimator? Estimator { get; } = estimator;

    public MethodCost Cost => new(Net.ParameterCount(), ModelCost.FlopsPerLrPixel(Net));

    /// <summary>Blind use (an estimator is required).</summary>
    public SrResult SuperResolve(Tensor lr, int scale) =>
        Estimator is null
            ? throw new InvalidOperationException($"{Name} is non-blind and has no kernel estimator: evaluate it given the true kernel")
            : Run(lr, scale, trueKernel: null);

    public SrResult SuperResolve(Tensor lr, int scale, Tensor trueKernel) => Run(lr, scale, trueKernel);

    private SrResult Run(Tensor lr, int scale, Tensor? trueKernel)
    {
        if (scale != Net.Config.Scale) throw new ArgumentException($"{Name} was built for ×{Net.Config.Scale}, asked for ×{scale}");
        var module = Net.Module();
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var device = module.parameters().First().device;
            lr = lr.to(device);
            var kernel = Estimator is not null ? Estimator.Estimate(lr) : trueKernel!.to(device).unsqueeze(0);   // [1, k, k]
            var sr = Net.call(lr, pca.Encode(kernel));
            return new SrResult(sr.detach().clone().MoveToOuterDisposeScope(),
                                Estimator is null ? null : kernel[0].detach().clone().MoveToOuterDisposeScope());
        }
        finally
        {
            if (wasTraining) module.train();
        }
    }
}
