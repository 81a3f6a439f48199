"""StreamField blocks for content pages, one per GOV.UK Frontend pattern."""

from wagtail import blocks

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Heading 2"), ("h3", "Heading 3")],
        default="h2",
        help_text="Use Heading 2 for sections; Heading 3 only inside a section.",
    )

    class Meta:
        icon = "title"
        template = "components/heading.html"


class InsetTextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(features=["bold", "link"])

    class Meta:
        icon = "openquote"
        template = "components/inset_text.html"


class WarningTextBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, help_text="Shown after a bold warning icon.")

    class Meta:
        icon = "warning"
        template = "components/warning_text.html"


class DetailsBlock(blocks.StructBlock):
    summary = blocks.CharBlock(max_length=120, help_text="The link text people click to open it.")
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "collapse-down"
        template = "components/details.html"


class ButtonLinkBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")
    start = blocks.BooleanBlock(required=False, help_text="Show as a 'Start now' button.")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError("Choose a page or enter a URL.")}
            )
        return value

    class Meta:
        icon = "link"
        template = "components/button_link.html"


class ContactDetailsBlock(blocks.StaticBlock):
    """The council's phone, opening hours and email from Site settings, so a page that says
    "contact us" never goes out of date when they change."""

    class Meta:
        icon = "mail"
        admin_text = "Shows the contact details from Settings > Site settings."
        template = "components/contact_details.html"


class ContentStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    rich_text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="components/rich_text.html"
    )
    inset_text = InsetTextBlock()
    warning_text = WarningTextBlock()
    details = DetailsBlock()
    button_link = ButtonLinkBlock()
    contact_details = ContactDetailsBlock()
