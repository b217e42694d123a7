using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Model.Baselines;

namespace KbSr.Inference;

/// <summary>
/// The table rows a trained network gives, for any registered network: KB-SR, IKC and DAN one blind row each; a non-blind
/// network a "given the true kernel" row and, with a kernel estimator, a blind row whose kernel comes from it. Row
/// names say which protocol they follow.
/// </summary>
public static class SuperResolvers
{
    /// <summary>Label of the rows of non-blind networks given the true kernel.</summary>
    public const string TrueKernelLabel = "true kernel";

    /// <param name="network">The trained network.</param>
    /// <param name="pca">The PCA stored with its weights (required by every network but KB-SR).</param>
    /// <param name="name">Its name in the tables.</param>
    /// <param name="estimator">Kernel estimator for the blind row of a non-blind network (none: no blind row).</param>
    public static IReadOnlyList<ISuperResolver> For(ISrNetwork network, KernelPca? pca, string name, IKernelEstimator? estimator = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        KernelPca Pca() => pca ?? throw new ArgumentException($"{name}: the weights hold no kernel PCA, which {network.Config.Model} needs to encode kernels");
        return network switch
        {
            KbSrNet kbsr => [new KbSrSuperResolver(kbsr, name)],
            Ikc ikc => [new IkcSuperResolver(ikc, Pca(), name)],
            Dan dan => [new DanSuperResolver(dan, Pca(), name)],
            INonBlindNetwork nonBlind when estimator is null => [new NonBlindSuperResolver(nonBlind, Pca(), $"{name} ({TrueKernelLabel})")],
            INonBlindNetwork nonBlind =>
            [
                new NonBlindSuperResolver(nonBlind, Pca(), $"{name} ({TrueKernelLabel})"),
                new NonBlindSuperResolver(nonBlind, Pca(), $"{name} (kernel by {estimator.Name})", estimator),
            ],
            _ => throw new ArgumentException($"{name}: no super-resolver for {network.GetType().Name}"),
        };
    }
}
