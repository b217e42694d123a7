using KbSr.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// The SR heads (each stage's conv3 to RGB, Fig. 1 step 3, and the final reconstruction conv): 3×3 convs from
/// many feature channels to 3. libtorch runs a conv with 3 output channels far below its usual rate; the same
/// sums as one 1×1 conv to 9·3 channels (a plain matrix product, one output per tap) followed by the sum of the 9
/// taps' shifted maps run 2–4× faster forward. Autograd through that form would be slow (nine full-size slice
/// gradients), so training uses a hand-written backward made of the same two matrix products transposed. The
/// module's weights are the parameters either way (state-dict unchanged).
/// </summary>
public static class SrHeadConv
{
    /// <summary><paramref name="head"/>(x), in the tap form when <see cref="FastForms"/> is on (see the type's summary).</summary>
    public static Tensor Apply(Conv2d head, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(head);
        var weight = head.weight!;
        if (!FastForms.Enabled || weight.shape[0] > 4 || weight.shape[2] != 3 || head.bias is null) return head.call(x);
        bool autograd = is_grad_enabled() && (x.requires_grad || weight.requires_grad || head.bias.requires_grad);
        return autograd ? TapForm.apply(x, weight, head.bias) : Taps(x, weight, head.bias);
    }

    /// <summary>The tap form with its hand-written backward (what <see cref="Apply"/> runs under autograd).</summary>
    public static Tensor TapsWithGradient(Tensor x, Tensor weight, Tensor bias) => TapForm.apply(x, weight, bias);

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

    /// <summary>Tap form of a 3×3, padding-1 conv with its backward: y = Σ_t shift_t(W_t·x) + b, so
    /// ∂x = Σ_t W_tᵀ·unshift_t(g) and ∂W_t = Σ_pixels unshift_t(g)·xᵀ — both one matrix product over the 9·o stacked taps.</summary>
    private sealed class TapForm : autograd.SingleTensorFunction<TapForm>
    {
        public override string Name => nameof(TapForm);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            Tensor x = (Tensor)vars[0], weight = (Tensor)vars[1], bias = (Tensor)vars[2];
            ctx.save_for_backward([x, weight]);
            using var _ = no_grad();
            return Taps(x, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            Tensor x = saved[0], weight = saved[1];
            long b = x.shape[0], c = x.shape[1];
            int o = checked((int)weight.shape[0]), h = checked((int)x.shape[2]), w = checked((int)x.shape[3]);
            // Tap t = (ty, tx) read its map at (i + ty − 1, j + tx − 1): its gradient is g shifted back by that offset.
            var padded = nn.functional.pad(grad_output, [1, 1, 1, 1]);
            var perTapGrad = new List<Tensor>(9);
            for (int ty = 0; ty < 3; ty++)
                for (int tx = 0; tx < 3; tx++)
                    perTapGrad.Add(padded[.., .., (2 - ty)..(2 - ty + h), (2 - tx)..(2 - tx + w)]);
            var stacked = cat(perTapGrad, dim: 1);                                           // [B, 9·o, H, W], (ty, tx, o)
            var perTap = weight.permute(2, 3, 0, 1).reshape(9 * o, c, 1, 1);                 // as in the forward
            var gradX = nn.functional.conv2d(stacked, perTap.permute(1, 0, 2, 3));           // [B, c, H, W]
            var gradPerTap = matmul(stacked.reshape(b, 9 * o, h * w), x.reshape(b, c, h * w).transpose(1, 2)).sum(dim: 0);   // [9·o, c]
            var gradWeight = gradPerTap.view(3, 3, o, c).permute(2, 3, 0, 1).contiguous();     // [o, c, 3, 3]
            var gradBias = grad_output.sum([0, 2, 3]);
            return [gradX, gradWeight, gradBias];
        }
    }
}
