import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export type SortOrder = 'asc' | 'desc';

/**
 * The paging part of every list query (docs/api.md §1). Query strings arrive as strings,
 * so numbers are converted with `@Type` before they are validated. List DTOs do not
 * extend this directly but `SortablePageQuery(fields)`, which adds `sort` with its
 * allow-list: a list without one cannot be sorted by anything the caller names.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1, description: 'Page number, from 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  // Keeps OFFSET within what both databases take as an integer.
  @Max(2_147_483_647)
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  page_size: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ maxLength: 100, description: 'Case-insensitive substring' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Direction of `sort` (or of the default order)' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: SortOrder;
}

export interface SortablePageQuery<F extends string> extends PageQueryDto {
  sort?: F;
}

/**
 * A page query whose `sort` must be one of `fields` (400 VALIDATION_FAILED otherwise).
 * The service maps the field to a column from its own table, so user input never
 * reaches the SQL text.
 */
export function SortablePageQuery<F extends string>(fields: readonly F[]): new () => SortablePageQuery<F> {
  class Sortable extends PageQueryDto {
    @ApiPropertyOptional({ enum: fields, description: 'The field to sort by' })
    @IsOptional()
    @IsIn(fields as readonly string[], { message: `sort must be one of: ${fields.join(', ')}` })
    sort?: F;
  }
  return Sortable;
}
