# Builds Warden's vDSO (image/vdso_image.c, freestanding, linked by image/vdso.lds at 0
# with no relocations) and embeds the linked image into warden_sentry through a generated
# .S that .incbin's it. Included from sentry/CMakeLists.txt; the image's own source lives
# under image/ so the sentry's */*.c glob never compiles it with the hosted flags.
set(VDSO_DIR ${CMAKE_CURRENT_SOURCE_DIR}/vdso)
set(VDSO_OUT ${CMAKE_CURRENT_BINARY_DIR}/vdso)
set(VDSO_SO ${VDSO_OUT}/vdso.so)
set(VDSO_CFLAGS -std=gnu11 -O2 -Wall -Wextra -Werror -I${PROJECT_SOURCE_DIR} -fPIC
	-ffreestanding -fno-builtin -fno-stack-protector -fno-stack-clash-protection
	-fcf-protection=none -mno-red-zone -fno-omit-frame-pointer)
set(VDSO_LDFLAGS -nostdlib -shared -Wl,-T,${VDSO_DIR}/image/vdso.lds
	-Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both -Wl,--eh-frame-hdr -Wl,-Bsymbolic
	-Wl,--no-undefined -Wl,-z,noexecstack -Wl,--build-id=none)

add_custom_command(OUTPUT ${VDSO_SO}
	COMMAND ${CMAKE_COMMAND} -E make_directory ${VDSO_OUT}
	COMMAND ${CMAKE_C_COMPILER} ${VDSO_CFLAGS} -c ${VDSO_DIR}/image/vdso_image.c
		-o ${VDSO_OUT}/vdso_image.o
	COMMAND ${CMAKE_C_COMPILER} ${VDSO_LDFLAGS} ${VDSO_OUT}/vdso_image.o -o ${VDSO_SO}.tmp
	# The image is mapped as is: a relocation would never be applied.
	COMMAND sh -c "readelf -rW '${VDSO_SO}.tmp' | grep -q 'There are no relocations'"
	COMMAND ${CMAKE_COMMAND} -E rename ${VDSO_SO}.tmp ${VDSO_SO}
	DEPENDS ${VDSO_DIR}/image/vdso_image.c ${VDSO_DIR}/image/vdso.lds
		${VDSO_DIR}/vdso_data.h
	COMMENT "Linking the vDSO image"
	VERBATIM)
add_custom_target(warden_vdso_image DEPENDS ${VDSO_SO})

configure_file(${VDSO_DIR}/image/vdso_blob.S.in ${VDSO_OUT}/vdso_blob.S @ONLY)
set_source_files_properties(${VDSO_OUT}/vdso_blob.S PROPERTIES OBJECT_DEPENDS ${VDSO_SO})
target_sources(warden_sentry PRIVATE ${VDSO_OUT}/vdso_blob.S)
add_dependencies(warden_sentry warden_vdso_image)
