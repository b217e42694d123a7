using KbSr.Degradation;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>Estimates the blur kernel of an LR image, for evaluating non-blind networks blind.</summary>
public interface IKernelEstimator
{
    /// <summary>Short name for table rows ("IKC Predictor").</summary>
    string Name { get; }

    /// <summary>LR [1, 3, h, w] → kernel [1, k, k] (on the LR's device).</summary>
    Tensor Estimate(Tensor lr);
}

/// <summary>IKC's Predictor as a kernel estimator: its code, decoded with the PCA stored with the IKC weights (a
/// non-blind network then re-encodes the kernel with its own PCA, so the two PCAs need not be the same).</summary>
public sealed class IkcKernelEstimator(Ikc ikc, KernelPca pca) : IKernelEstimator
{
    public string Name => "IKC Predictor";

    public Tensor Estimate(Tensor lr)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = ikc.parameters().First().device;
        return pca.Decode(ikc.Predictor.call(lr.to(device))).MoveToOuterDisposeScope();
    }
}
