using KbSr.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// The SR heads (each stage's conv3 to RGB, Fig. 1 step 3, and the final reconstruction conv): 3×3 convs from
/// many feature channels to 3. libtorch runs a conv with 3 output channels far below its usual rate; the same
/// sums as one 1×1 conv to 9·3 channels (a plain matrix product, one output per tap) followed by the sum of the 9
/// taps' shifted maps run 2–4× faster forward. Its backward is slower than the conv's, so the tap form is used only
/// without autograd (inference); with gradients the module's own conv runs. Either way the module's weights are
/// the parameters (state-dict unchanged).
/// </summary>
public static class SrHeadConv
{
    /// <summary><paramref name="head"/>(x), in the tap form when that is faster (see the type's summary).</summary>
    public static Tensor Apply(Conv2d head, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(head);
        bool tapForm = FastForms.Enabled && !is_grad_enabled() && head.weight!.shape[0] <= 4;
        return tapForm ? Taps(x, head.weight!, head.bias) : head.call(x);
    }

    /// <summary>conv2d(x, weight, bias, padding 1) for a 3×3 weight [o, c, 3, 3], as a 1×1 conv to 9·o channels
    /// and a sum of 9 shifted slices (zero padding = the slices of the zero-padded tap maps).</summary>
    public static Tensor Taps(Tensor x, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        int o = checked((int)weight.shape[0]);
        int h = checked((int)x.shape[2]), w = checked((int)x.shape[3]);
        var perTap = weight.permute(2, 3, 0, 1).reshape(9 * o, weight.shape[1], 1, 1);    // [(ty, tx, o), c, 1, 1]
        var taps = nn.functional.pad(nn.functional.conv2d(x, perTap), [1, 1, 1, 1]);      // [B, 9·o, h + 2, w + 2]
        Tensor? sum = null;
        for (int ty = 0; ty < 3; ty++)
            for (int tx = 0; tx < 3; tx++)
            {
                int t = 3 * ty + tx;
                var shifted = taps[.., (t * o)..((t + 1) * o), ty..(ty + h), tx..(tx + w)];
                sum = sum is null ? shifted.clone() : sum.add_(shifted);
            }
        if (bias is not null) sum!.add_(bias.view(1, -1, 1, 1));
        return sum!.MoveToOuterDisposeScope();
    }
}
