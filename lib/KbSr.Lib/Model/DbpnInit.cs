using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// DBPN's initialisation (docs/method.md §2): Kaiming-normal weights (fan-in, gain √2) and zero biases. Applied to
/// every conv and deconv of the network, the estimators and SFT layers included **[choice]**.
/// </summary>
public static class DbpnInit
{
    /// <summary>Re-initialises every Conv2d / ConvTranspose2d inside <paramref name="module"/>.</summary>
    public static void Apply(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case TorchSharp.Modules.Conv2d conv:
                    Reset(conv.weight!, conv.bias);
                    break;
                case TorchSharp.Modules.ConvTranspose2d deconv:
                    Reset(deconv.weight!, deconv.bias);
                    break;
            }
        }
    }

    private static void Reset(Tensor weight, Tensor? bias)
    {
        // A deconv's weight is [in, out, k, k]: its fan-in (inputs feeding one output) is dim 1·k·k, which
        // kaiming_normal_ computes from dim 1 — the same convention DBPN gets from PyTorch.
        nn.init.kaiming_normal_(weight, a: 0, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
        if (bias is not null) nn.init.zeros_(bias);
    }
}
