using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// DBPN up-projection unit, the "Up" box of Fig. 1 (docs/method.md §2): H0 = deconv(L); L0 = conv(H0); E = L0 − L;
/// H1 = deconv(E); return H0 + H1. Every layer has a bias and a single-slope PReLU; channels stay C.
/// [B, C, h, w] → [B, C, s·h, s·w].
/// </summary>
public sealed class UpProjection : nn.Module<Tensor, Tensor>
{
    private readonly ConvTranspose2d deconv_h0;
    private readonly PReLU act_h0;
    private readonly Conv2d conv_l0;
    private readonly PReLU act_l0;
    private readonly ConvTranspose2d deconv_h1;
    private readonly PReLU act_h1;

    public UpProjection(int channels, int scale) : base(nameof(UpProjection))
    {
        var g = ProjectionGeometry.Of(scale);
        deconv_h0 = g.Deconv(channels, channels);
        act_h0 = nn.PReLU(num_parameters: 1, init: 0.25);
        conv_l0 = g.Conv(channels, channels);
        act_l0 = nn.PReLU(num_parameters: 1, init: 0.25);
        deconv_h1 = g.Deconv(channels, channels);
        act_h1 = nn.PReLU(num_parameters: 1, init: 0.25);
        RegisterComponents();
    }

    public override Tensor forward(Tensor l)
    {
        using var scope = NewDisposeScope();   // intermediates go when the unit is done (inference memory)
        var h0 = act_h0.call(deconv_h0.call(l));     // [B, C, s·h, s·w]
        var l0 = act_l0.call(conv_l0.call(h0));      // [B, C, h, w]
        var h1 = act_h1.call(deconv_h1.call(l0 - l));
        return (h0 + h1).MoveToOuterDisposeScope();
    }
}
