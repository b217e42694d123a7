using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// DBPN down-projection unit, the "Down" box of Fig. 1 (docs/method.md §2): L0 = conv(H); H0 = deconv(L0); E = H0 − H;
/// L1 = conv(E); return L0 + L1. Every layer has a bias and a single-slope PReLU; channels stay C.
/// [B, C, s·h, s·w] → [B, C, h, w].
/// </summary>
public sealed class DownProjection : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_l0;
    private readonly PReLU act_l0;
    private readonly ConvTranspose2d deconv_h0;
    private readonly PReLU act_h0;
    private readonly Conv2d conv_l1;
    private readonly PReLU act_l1;

    public DownProjection(int channels, int scale) : base(nameof(DownProjection))
    {
        var g = ProjectionGeometry.Of(scale);
        conv_l0 = g.Conv(channels, channels);
        act_l0 = nn.PReLU(num_parameters: 1, init: 0.25);
        deconv_h0 = g.Deconv(channels, channels);
        act_h0 = nn.PReLU(num_parameters: 1, init: 0.25);
        conv_l1 = g.Conv(channels, channels);
        act_l1 = nn.PReLU(num_parameters: 1, init: 0.25);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();   // intermediates go when the unit is done (inference memory)
        var l0 = act_l0.call(conv_l0.call(h));       // [B, C, h, w]
        var h0 = act_h0.call(deconv_h0.call(l0));    // [B, C, s·h, s·w]
        var l1 = act_l1.call(conv_l1.call(h0 - h));
        return (l0 + l1).MoveToOuterDisposeScope();
    }
}
