using KbSr.Degradation;
using KbSr.Evaluation;
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
public sealed class IkcKernelEstimator(Ikc ikc, KernelPca pca, string name = "IKC Predictor") : IKernelEstimator
{
    public string Name => name;

    public Tensor Estimate(Tensor lr)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = ikc.parameters().First().device;
        return pca.Decode(ikc.Predictor.call(lr.to(device))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A blind super-resolver's final kernel as a kernel estimator: KB-SR's K_T, DAN's k_N, IKC's code after its corrections.
/// The evaluator asks every blind row of one LR image in turn, so the last LR and its kernel are kept: the blind network
/// runs once per image, however many non-blind networks use its estimate.
/// </summary>
public sealed class BlindKernelEstimator(ISuperResolver blind, int scale) : IKernelEstimator, IDisposable
{
    private Tensor? _lastLr;
    private Tensor? _lastKernel;

    public string Name => blind.Name;

    public Tensor Estimate(Tensor lr)
    {
        ArgumentNullException.ThrowIfNull(lr);
        if (_lastLr is null || _lastKernel is null || !SameImage(_lastLr, lr))
        {
            using var result = blind.SuperResolve(lr, scale);
            var kernel = result.Kernel ?? throw new InvalidOperationException($"{blind.Name} gives no kernel estimate");
            Forget();
            _lastKernel = (kernel.dim() == 2 ? kernel.unsqueeze(0) : kernel).detach().clone().DetachFromDisposeScope();
            _lastLr = lr.detach().clone().DetachFromDisposeScope();
        }
        return _lastKernel.to(lr.device).clone();   // [1, k, k], the caller's
    }

    private static bool SameImage(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.device_type != b.device_type || a.device_index != b.device_index || a.dtype != b.dtype) return false;
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    private void Forget()
    {
        _lastLr?.Dispose();
        _lastKernel?.Dispose();
        (_lastLr, _lastKernel) = (null, null);
    }

    public void Dispose() => Forget();
}
