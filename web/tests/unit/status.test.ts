import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api/client";
import { ErrorBanner, sentence } from "../../src/components/status";

describe("error banner", () => {
  it("reads as a sentence: no error code or field in the text", () => {
    const error = new ApiError(401, "unauthenticated", "wrong username or password", "password");
    const html = renderToStaticMarkup(createElement(ErrorBanner, { error }));
    expect(html).toContain(">Wrong username or password.<");
    expect(html).not.toContain("unauthenticated:");
    expect(html).not.toContain("(field:");
    expect(html).toContain('data-field="password"');
  });

  it("keeps a message's own punctuation", () => {
    expect(sentence("Is the server running?")).toBe("Is the server running?");
    expect(sentence("")).toBe("Something went wrong.");
  });
});
