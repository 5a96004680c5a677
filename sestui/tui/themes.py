"""sestui's themes: Textual's dark and light ones with a focus colour of its own, and one for
NO_COLOR whose status colours stay light when Textual turns every colour into a grey."""

from __future__ import annotations

from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

# Textual's accent (#ffa62b) becomes bright red on a 16-colour terminal, the colour of ✗ and
# DENIED: focus would read as an error. Cyan stays cyan in 16 and 256 colours.
DARK = replace(BUILTIN_THEMES["textual-dark"], name="sestui-dark", accent="#5fd7ff")
LIGHT = replace(BUILTIN_THEMES["textual-light"], name="sestui-light", accent="#00729c")
# Under NO_COLOR Textual draws each colour as the grey of its luminance: #ba3c5b (✗, DENIED,
# ▶) would be grey 240 on black. These keep the marks well above the background's grey.
NO_COLOR = replace(
    DARK,
    name="sestui-no-color",
    # Light enough that its grey is as bright as the text (#ff8fa3 became grey 247, dimmer).
    error="#ffd6de",
    success="#8fffb0",
    warning="#ffd27f",
    primary="#3a4a6a",
    # Greys alone barely set the cursor row (a list's selection, the matrix cell) apart from its
    # neighbours: reverse it, so it stands out with no colour at all.
    variables={
        **DARK.variables,
        "block-cursor-text-style": "reverse bold",
        "block-cursor-blurred-text-style": "bold",
    },
)
THEMES: tuple[Theme, ...] = (DARK, LIGHT, NO_COLOR)
