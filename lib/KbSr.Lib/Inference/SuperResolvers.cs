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
    /// <param name="estimators">Kernel estimators, each giving a non-blind network one blind row (none: no blind row).</param>
    public static IReadOnlyList<ISuperResolver> For(ISrNetwork network, KernelPca? pca, string name, params IKernelEstimator[] estimators)
    {
        ArgumentNullException.ThrowIfNull(network);
        KernelPca Pca() => pca ?? throw new ArgumentException($"{name}: the weights hold no kernel PCA, which {network.Config.Model} needs to encode kernels");
        return network switch
        {
            KbSrNet kbsr => [new KbSrSuperResolver(kbsr, name)],
            Ikc ikc => [new IkcSuperResolver(ikc, Pca(), name)],
            Dan dan => [new DanSuperResolver(dan, Pca(), name)],
            INonBlindNetwork nonBlind =>
            [
                new NonBlindSuperResolver(nonBlind, Pca(), $"{name} ({TrueKernelLabel})"),
                .. estimators.Select(e => new NonBlindSuperResolver(nonBlind, Pca(), $"{name} (kernel by {e.Name})", e)),
            ],
            _ => throw new ArgumentException($"{name}: no super-resolver for {network.GetType().Name}"),
        };
    }

    /// <summary>The kernel estimator a blind network gives non-blind ones: IKC's Predictor (as the first Table 1 used it;
    /// named "IKC Predictor" unless <paramref name="name"/> is given), KB-SR's K_T or DAN's k_N.</summary>
    public static IKernelEstimator Estimator(ISrNetwork network, KernelPca? pca, string name, bool named)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network switch
        {
            Ikc ikc when pca is not null => named ? new IkcKernelEstimator(ikc, pca, name) : new IkcKernelEstimator(ikc, pca),
            KbSrNet kbsr => new BlindKernelEstimator(new KbSrSuperResolver(kbsr, name), kbsr.Config.Scale),
            Dan dan when pca is not null => new BlindKernelEstimator(new DanSuperResolver(dan, pca, name), dan.Config.Scale),
            _ => throw new ArgumentException($"{name}: expected the weights of a blind network that estimates kernels (KB-SR, IKC or DAN, " +
                                             $"with its kernel PCA); got {network.Config.Model}"),
        };
    }
}
