import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import type { CatalogueEntry } from './catalogue-entry.js';

/** How one catalogue (roles, permissions) spells its codes, and what its examples show. */
export interface CatalogueSpec {
  /** Plural, for descriptions: `roles`, `permissions`. */
  noun: string;
  code: RegExp;
  codeMaxLength: number;
  example: { code: string; name: string; description: string };
}

const codeMessage = (spec: CatalogueSpec) => `code must match ${spec.code.source} (e.g. ${spec.example.code})`;

/** The response fields every entry has, in the order the API shows them. */
export interface CatalogueEntryDto {
  id: number;
  code: string;
  name: string;
  description: string | null;
  is_system: boolean;
  created_at: string;
  updated_at: string;
}

/** The fields a new entry is created with: `code`, `name`, `description`?. */
export function CatalogueEntryFields(spec: CatalogueSpec) {
  class EntryFields {
    @ApiProperty({ example: spec.example.code, pattern: spec.code.source, maxLength: spec.codeMaxLength })
    @IsString()
    @MaxLength(spec.codeMaxLength)
    @Matches(spec.code, { message: codeMessage(spec) })
    code: string;

    @ApiProperty({ example: spec.example.name, maxLength: 64 })
    @IsString()
    @MinLength(1)
    @MaxLength(64)
    name: string;

    @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: spec.example.description })
    @IsOptional()
    @IsString()
    @MaxLength(255)
    description?: string | null;
  }
  return EntryFields;
}

/** Every field optional; `code` and `name` cannot be null, `description: null` clears it. */
export function CatalogueEntryPatch(spec: CatalogueSpec) {
  class EntryPatch {
    @ApiPropertyOptional({
      example: spec.example.code,
      pattern: spec.code.source,
      maxLength: spec.codeMaxLength,
      description: `System ${spec.noun} cannot be re-coded`,
    })
    @ValidateIf((o: EntryPatch) => o.code !== undefined)
    @IsString()
    @MaxLength(spec.codeMaxLength)
    @Matches(spec.code, { message: codeMessage(spec) })
    code?: string;

    @ApiPropertyOptional({ maxLength: 64, example: spec.example.name })
    @ValidateIf((o: EntryPatch) => o.name !== undefined)
    @IsString()
    @MinLength(1)
    @MaxLength(64)
    name?: string;

    @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: spec.example.description })
    @IsOptional()
    @IsString()
    @MaxLength(255)
    description?: string | null;
  }
  return EntryPatch;
}

/** The response shape of an entry (a subclass adds what it links to). */
export function CatalogueEntryView(spec: CatalogueSpec & { id: number }) {
  class EntryView implements CatalogueEntryDto {
    @ApiProperty({ example: spec.id }) id: number;
    @ApiProperty({ example: spec.example.code }) code: string;
    @ApiProperty({ example: spec.example.name }) name: string;
    @ApiProperty({ type: String, nullable: true, example: spec.example.description }) description: string | null;
    @ApiProperty({ description: `System ${spec.noun} cannot be deleted or re-coded` }) is_system: boolean;
    @ApiProperty({ format: 'date-time' }) created_at: string;
    @ApiProperty({ format: 'date-time' }) updated_at: string;
  }
  return EntryView;
}

const iso = (d: Date) => new Date(d).toISOString();

export function toCatalogueEntryDto(e: CatalogueEntry): CatalogueEntryDto {
  return {
    id: e.id,
    code: e.code,
    name: e.name,
    description: e.description,
    is_system: Boolean(e.isSystem),
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
  };
}
