"""Hugging Face `transformers` integration: report every evaluation to the sweep controller.

    from sweep_hf_callback import SweepCallback
    trainer = Trainer(..., callbacks=[SweepCallback()])

Each evaluation is reported at `state.global_step` under the names Trainer uses (`eval_loss`) and, for
sweep files written for W&B, also under W&B's names (`eval/loss`). When the controller asks the trial to
stop (pruned, timed out, Ctrl-C), training stops at the next step so the Trainer can save and return.
Importing this module without transformers installed raises ImportError, as it should.
"""

from transformers import TrainerCallback

import sweep_client

__all__ = ["SweepCallback"]


class SweepCallback(TrainerCallback):
    def __init__(self, wandb_names=True):
        self.wandb_names = wandb_names

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if not metrics or not state.is_world_process_zero:
            return
        values = {}
        for name, value in metrics.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            values[name] = value
            if self.wandb_names and name.startswith("eval_"):
                values["eval/" + name[len("eval_"):]] = value
        if values:
            sweep_client.report(int(state.global_step), **values)
        if sweep_client.should_stop():
            control.should_training_stop = True

    def on_step_end(self, args, state, control, **kwargs):
        if sweep_client.should_stop():
            control.should_training_stop = True
            control.should_save = True
