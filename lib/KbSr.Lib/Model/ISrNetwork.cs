using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// A network that the harness builds by name (<see cref="ModelRegistry"/>), trains, checkpoints and evaluates:
/// KB-SR and the Table-1 systems of <c>Model/Baselines</c>. Every implementation is a TorchSharp module whose
/// whole architecture follows from <see cref="Config"/>, so a checkpoint's config rebuilds it.
/// </summary>
public interface ISrNetwork : IDisposable
{
    /// <summary>The configuration the network was built from (stored in every checkpoint).</summary>
    KbSrConfig Config { get; }
}

/// <summary>Helpers over <see cref="ISrNetwork"/>.</summary>
public static class SrNetwork
{
    /// <summary>The network as a TorchSharp module (for parameters, save/load, train/eval, device moves).</summary>
    public static nn.Module Module(this ISrNetwork network) =>
        network as nn.Module ?? throw new InvalidOperationException($"{network.GetType().Name} is not a TorchSharp module");

    /// <summary>Number of trainable parameters.</summary>
    public static long ParameterCount(this ISrNetwork network) => network.Module().parameters().Sum(p => p.numel());
}
