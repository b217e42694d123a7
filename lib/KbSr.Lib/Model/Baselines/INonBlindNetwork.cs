using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// A non-blind super-resolver (docs/method.md §1): it is given the blur kernel, as its PCA code (t = <c>Loss.PcaDims</c>
/// values from the PCA stored with the weights). Training feeds the true kernels' codes; evaluation feeds the true
/// kernel (an upper bound) or one estimated from the LR image.
/// </summary>
public interface INonBlindNetwork : ISrNetwork
{
    /// <summary>LR [B, 3, h, w] and kernel codes [B, t] → SR [B, 3, s·h, s·w] (TorchSharp's <c>call</c>, with hooks).</summary>
    Tensor call(Tensor lr, Tensor code);
}

/// <summary>Checks shared by the baseline networks.</summary>
internal static class BaselineChecks
{
    public static BaselineConfig Require(KbSrConfig config, string model)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (!string.Equals(config.Model, model, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"config names model '{config.Model}', not '{model}'", nameof(config));
        return config.Baseline ?? throw new ArgumentException($"model '{model}' needs a 'baseline' section in its config", nameof(config));
    }

    public static void Input(Tensor lr, Tensor code, KbSrConfig config)
    {
        ArgumentNullException.ThrowIfNull(lr);
        ArgumentNullException.ThrowIfNull(code);
        if (lr.dim() != 4 || lr.shape[1] != config.ImageChannels)
            throw new ArgumentException($"LR must be [B, {config.ImageChannels}, h, w]; got [{string.Join(',', lr.shape)}]", nameof(lr));
        if (code.dim() != 2 || code.shape[0] != lr.shape[0] || code.shape[1] != config.Loss.PcaDims)
            throw new ArgumentException($"kernel codes must be [{lr.shape[0]}, {config.Loss.PcaDims}]; got [{string.Join(',', code.shape)}]", nameof(code));
    }
}
