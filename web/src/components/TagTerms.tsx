/** The "Tags" row of a definition list (`<dl>`), or nothing when there are no tags. */
export function TagTerms({ tags }: { tags?: readonly string[] | null }) {
  if (!tags?.length) return null;
  return (
    <>
      <dt>Tags</dt>
      <dd>
        {tags.map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
      </dd>
    </>
  );
}
