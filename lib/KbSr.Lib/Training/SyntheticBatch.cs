using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>One synthetic training batch: eq. (1) applied to random HR crops.</summary>
/// <param name="Hr">[B,3,P,P] in [0,1].</param>
/// <param name="Lr">[B,3,P/s,P/s] in [0,1].</param>
/// <param name="Kernels">[B,k,k], each summing to 1: the ground truth for the kernel loss.</param>
/// <param name="Sigmas">[B]: the σ (σx for anisotropic kernels) each kernel was drawn with.</param>
public sealed record SyntheticBatch(Tensor Hr, Tensor Lr, Tensor Kernels, Tensor Sigmas) : IDisposable
{
    /// <summary>Moves every tensor to <paramref name="device"/> (a new batch; this one is disposed).</summary>
    public SyntheticBatch To(Device device)
    {
        if (Hr.device == device) return this;
        var moved = new SyntheticBatch(Hr.to(device), Lr.to(device), Kernels.to(device), Sigmas.to(device));
        Dispose();
        return moved;
    }

    public void Dispose()
    {
        Hr.Dispose(); Lr.Dispose(); Kernels.Dispose(); Sigmas.Dispose();
    }
}
